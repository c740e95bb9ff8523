import { describe, expect, it } from "vitest";
import { formatProgressBar, RunProgressDisplay } from "../../cli/run-progress.js";

function recorder(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { output: { isTTY, columns, write: (text: string) => writes.push(text) }, writes };
}

describe("formatProgressBar", () => {
  it("shows done, running, failed, cost and time left, with a bar in proportion", () => {
    const line = formatProgressBar({ total: 10, done: 5, running: 2, failed: 1, costUsd: 1.5, etaMs: 12 * 60_000 }, 100);
    expect(line).toBe("[###############---------------] 5/10 done · 2 running · 1 failed · $1.50 · ETA 12m");
  });

  it("fits a narrow terminal: the bar goes first, then the words are cut", () => {
    const state = { total: 10, done: 5, running: 2, failed: 1, costUsd: 1.5, etaMs: null };
    expect(formatProgressBar(state, 60).length).toBeLessThanOrEqual(60);
    expect(formatProgressBar(state, 60)).toMatch(/^\[#+-+\] 5\/10 done/);
    expect(formatProgressBar(state, 30)).toBe("5/10 done · 2 running · 1 fail");
  });
});

describe("RunProgressDisplay", () => {
  it("on a terminal, redraws one bar in place and prints every line above it, then clears it", () => {
    const { output, writes } = recorder(true);
    const display = new RunProgressDisplay(output, 2);
    display.started();
    display.print("[env] building");
    display.finished("a: solved", { done: 1, total: 2, costUsd: 0.25, etaMs: 60_000 }, false, true);
    display.finish();
    expect(writes).toEqual([
      "\r\u001b[2K[------------------------------] 0/2 done · 1 running · 0 failed · $0.00",
      "\r\u001b[2K[env] building\n",
      "\r\u001b[2K[------------------------------] 0/2 done · 1 running · 0 failed · $0.00",
      "\r\u001b[2Ka: solved\n",
      "\r\u001b[2K[###############---------------] 1/2 done · 0 running · 0 failed · $0.25 · ETA 1m",
      "\r\u001b[2K",
    ]);
  });

  it("anywhere else, writes plain lines only: no bar, no control characters", () => {
    const { output, writes } = recorder(false);
    const display = new RunProgressDisplay(output, 2);
    display.started();
    display.print("[env] building");
    display.finished("a: error", { done: 1, total: 2, costUsd: 0, etaMs: null }, true, true);
    display.finish();
    expect(writes).toEqual(["[env] building\n", "a: error\n"]);
  });
});
