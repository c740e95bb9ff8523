/**
 * A counting semaphore per repository in Redis, shared by every worker process of a queue: a
 * sorted set of leases (member: the job id, score: when the lease expires, by Redis's clock). A
 * worker renews its lease while the job runs; a dead worker's lease expires on its own.
 */
import { Redis } from "ioredis";

/** Leases on a repository's job slots. */
export interface RepositorySemaphore {
  /** Takes one of the repository's `limit` slots for `holder` (again, if it holds one: re-entrant); false when all are taken. */
  acquire(repository: string, holder: string, limit: number): Promise<boolean>;
  /** Extends `holder`'s lease; false when it had expired and was taken away. */
  renew(repository: string, holder: string): Promise<boolean>;
  release(repository: string, holder: string): Promise<void>;
  close(): Promise<void>;
}

/** Redis's own time in ms, so that the leases of workers on machines with different clocks compare. */
const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

const ACQUIRE = `${NOW}
local key, holder, limit, lease = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZSCORE', key, holder) or redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, holder)
  redis.call('PEXPIRE', key, lease)
  return 1
end
return 0`;

const RENEW = `${NOW}
local key, holder, lease = KEYS[1], ARGV[1], tonumber(ARGV[2])
local expires = redis.call('ZSCORE', key, holder)
if not expires or tonumber(expires) <= now then return 0 end
redis.call('ZADD', key, now + lease, holder)
redis.call('PEXPIRE', key, lease)
return 1`;

/** A semaphore on the Redis at `url`, its keys under `keyPrefix`, each lease lasting `leaseMs` unless renewed. */
export function createRepositorySemaphore(options: { url: string; keyPrefix: string; leaseMs: number; onError?: (error: Error) => void }): RepositorySemaphore {
  const redis = new Redis(options.url, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
  redis.on("error", (error: Error) => options.onError?.(error));
  const key = (repository: string) => `${options.keyPrefix}:${repository}`;
  return {
    async acquire(repository, holder, limit) {
      return (await redis.eval(ACQUIRE, 1, key(repository), holder, limit, options.leaseMs)) === 1;
    },
    async renew(repository, holder) {
      return (await redis.eval(RENEW, 1, key(repository), holder, options.leaseMs)) === 1;
    },
    async release(repository, holder) {
      await redis.zrem(key(repository), holder);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
