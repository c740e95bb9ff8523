import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/memory/secret-patterns.js";
import { createStructuredLog } from "../../src/serve/structured-log.js";

const at = () => new Date("2026-12-03T10:00:00.000Z");

describe("createStructuredLog", () => {
  it("writes one JSON object per call with time, level, message and fields", () => {
    const lines: string[] = [];
    const log = createStructuredLog((line) => lines.push(line), { now: at });
    log.info("delivery", { deliveryId: "d-1", event: "issues", repository: "acme/widgets" });
    log.error("job failed", { jobId: "d-1", error: new Error("boom") });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { time: "2026-12-03T10:00:00.000Z", level: "info", msg: "delivery", deliveryId: "d-1", event: "issues", repository: "acme/widgets" },
      { time: "2026-12-03T10:00:00.000Z", level: "error", msg: "job failed", jobId: "d-1", error: { name: "Error", message: "boom" } },
    ]);
    expect(lines.every((line) => !line.includes("\n"))).toBe(true);
  });

  it("redacts the known secrets and token shapes in every string, nested ones included", () => {
    const lines: string[] = [];
    const secret = "webhook-secret-value-1234";
    const log = createStructuredLog((line) => lines.push(line), { redact: createRedactor([secret]) });
    log.warn(`secret ${secret}`, { nested: { token: "ghs_abcdefghijklmnopqrstuvwxyz0123", list: [`Bearer ${"x".repeat(30)}`, "ghp_" + "a".repeat(36)] } });
    const text = lines.join("\n");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("ghs_abc");
    expect(text).not.toContain("ghp_aaa");
    expect(text).not.toContain("xxxxxxxxxx");
    expect(JSON.parse(lines[0]!).msg).toBe("secret [redacted]");
  });

  it("keeps its own time, level and message when a field has the same name", () => {
    const lines: string[] = [];
    createStructuredLog((line) => lines.push(line), { now: at }).info("real", { msg: "fake", level: "error" });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "real", level: "info" });
  });

  it("drops lines under its level and survives a writer that throws", () => {
    const lines: string[] = [];
    const log = createStructuredLog((line) => lines.push(line), { level: "warn" });
    log.debug("noise");
    log.info("noise");
    log.warn("kept");
    expect(lines).toHaveLength(1);
    const failing = createStructuredLog(() => {
      throw new Error("disk full");
    });
    expect(() => failing.error("still fine")).not.toThrow();
  });
});
