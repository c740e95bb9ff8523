/**
 * The deliveries the webhook server has accepted, by X-GitHub-Delivery id, in a SQLite file: a
 * delivery GitHub sends again (a redelivery, a retry after a timeout) is recognised even after a
 * restart and not queued twice.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../errors.js";

/** The accepted deliveries; `claim` is atomic, so two requests with one id cannot both win. */
export interface DeliveryLog {
  /** Records the id; true when it was new (the caller may queue it), false when it was seen before. */
  claim(deliveryId: string): boolean;
  /** Forgets an id whose job could not be queued, so that a redelivery is taken. */
  release(deliveryId: string): void;
  /** Removes the ids accepted more than `olderThanDays` ago (default: the log's retention); returns how many. */
  prune(olderThanDays?: number): number;
  close(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Opens (creating it when missing) the log in `file`; ids older than `retentionDays` (default 7) are pruned now and hourly. */
export function openDeliveryLog(file: string, options: { retentionDays?: number; now?: () => number } = {}): DeliveryLog {
  const retentionDays = options.retentionDays ?? 7;
  const now = options.now ?? Date.now;
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: 5_000 });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec("CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID");
    db.exec("CREATE INDEX IF NOT EXISTS deliveries_received_at ON deliveries (received_at)");
  } catch (error) {
    throw new ConfigError(`Cannot open the delivery log ${file} (${(error as Error).message}); check that its folder is writable or choose another state directory.`, { cause: error });
  }
  const insert = db.prepare("INSERT OR IGNORE INTO deliveries (id, received_at) VALUES (?, ?)");
  const remove = db.prepare("DELETE FROM deliveries WHERE id = ?");
  const removeOlder = db.prepare("DELETE FROM deliveries WHERE received_at < ?");
  let lastPruneMs = 0;
  const prune = (olderThanDays = retentionDays) => {
    lastPruneMs = now();
    return removeOlder.run(lastPruneMs - olderThanDays * DAY_MS).changes;
  };
  prune();
  return {
    claim(deliveryId) {
      if (now() - lastPruneMs > PRUNE_EVERY_MS) prune();
      return insert.run(deliveryId, now()).changes === 1;
    },
    release(deliveryId) {
      remove.run(deliveryId);
    },
    prune,
    close() {
      if (db.open) db.close();
    },
  };
}
