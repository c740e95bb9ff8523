/**
 * The Redis connection settings and the reachability check shared by every BullMQ queue of the
 * project (`agent swebench run --queue`, `agent worker`, `agent serve --queue`), so that each
 * says the same thing when Redis is not there.
 */
import { Redis } from "ioredis";
import { ConfigError } from "../errors.js";

/** BullMQ connection options for a redis:// or rediss:// URL; a ConfigError for anything else. */
export function redisConnectionOptions(url: string): { url: string; maxRetriesPerRequest: null; connectTimeout: number } {
  if (!/^rediss?:\/\//.test(url)) throw new ConfigError(`--queue takes a Redis URL such as redis://localhost:6379, not ${JSON.stringify(url)}.`);
  return { url, maxRetriesPerRequest: null, connectTimeout: 5_000 };
}

/**
 * Fails fast with a ConfigError that says to start redis-server when Redis at `url` does not
 * answer a PING: a refused connection at once, a silent host after the connect timeout (5 s).
 */
export async function ensureRedisReachable(url: string): Promise<void> {
  const options = redisConnectionOptions(url);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: options.connectTimeout, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  let lastError: Error | undefined;
  probe.on("error", (error: Error) => (lastError = error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const reason = (lastError ?? (error as Error)).message || (error as Error).message;
    throw new ConfigError(`Cannot reach Redis at ${redactRedisUrl(url)} (${reason}); start redis-server there or fix --queue.`, { cause: lastError ?? error });
  } finally {
    probe.disconnect();
  }
}

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
