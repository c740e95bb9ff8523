import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDeliveryLog } from "../../src/serve/delivery-log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "delivery-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openDeliveryLog", () => {
  it("claims an id once: true the first time, false after", () => {
    const log = openDeliveryLog(join(dir, "deliveries.db"));
    expect(log.claim("a")).toBe(true);
    expect(log.claim("a")).toBe(false);
    expect(log.claim("b")).toBe(true);
    log.close();
  });

  it("remembers the ids across a close and a reopen of the file", () => {
    const file = join(dir, "state", "deliveries.db");
    const first = openDeliveryLog(file);
    first.claim("a");
    first.close();
    const second = openDeliveryLog(file);
    expect(second.claim("a")).toBe(false);
    second.close();
  });

  it("forgets a released id, so a redelivery is taken", () => {
    const log = openDeliveryLog(join(dir, "deliveries.db"));
    log.claim("a");
    log.release("a");
    expect(log.claim("a")).toBe(true);
    log.close();
  });

  it("prunes the ids older than the retention, on open and on demand", () => {
    const file = join(dir, "deliveries.db");
    let now = Date.parse("2026-12-01T00:00:00Z");
    const log = openDeliveryLog(file, { retentionDays: 7, now: () => now });
    log.claim("old");
    now += 3 * 24 * 60 * 60 * 1000;
    log.claim("recent");
    now += 5 * 24 * 60 * 60 * 1000;
    expect(log.prune()).toBe(1);
    expect(log.claim("old")).toBe(true);
    expect(log.claim("recent")).toBe(false);
    log.close();
    now += 30 * 24 * 60 * 60 * 1000;
    const reopened = openDeliveryLog(file, { retentionDays: 7, now: () => now });
    expect(reopened.claim("recent")).toBe(true);
    reopened.close();
  });
});
