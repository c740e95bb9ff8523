import { cleanup, render } from "ink-testing-library";
import type { ReactElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createScreenDriver, FRAME_MS } from "../../../../cli/tui/session/screen-driver.js";
import { initialScreen } from "../../../../cli/tui/session/screen-state.js";

// ink draws only the last frame where CI is set; these tests watch the frames.
vi.hoisted(() => {
  delete process.env["CI"];
  delete process.env["CONTINUOUS_INTEGRATION"];
});

afterEach(cleanup);

function driven(size: { columns: number; rows: number }) {
  let instance: ReturnType<typeof render> | undefined;
  let rerenders = 0;
  const driver = createScreenDriver({
    initial: initialScreen({ sessionId: "20261202-000000-abcdef", repository: "slugs", model: "openai:gpt-4.1", approvalMode: "auto-edit", maxCostUsd: 5 }),
    mount: (tree: ReactElement) => {
      instance = render(tree);
      return {
        rerender: (next: ReactElement) => {
          rerenders += 1;
          instance!.rerender(next);
        },
        unmount: () => instance!.unmount(),
      };
    },
    size: () => size,
  });
  return { driver, frame: () => instance?.lastFrame() ?? "", rerenders: () => rerenders };
}

describe("the screen driver", () => {
  it("draws a burst of a thousand actions in a frame or two, the last one included", async () => {
    const { driver, frame, rerenders } = driven({ columns: 100, rows: 30 });
    for (let index = 0; index < 1_000; index += 1) driver.dispatch({ type: "notice", text: `note ${index}` });
    expect(rerenders()).toBe(0);
    await vi.waitFor(() => expect(frame()).toContain("note 999"), { timeout: 1_000, interval: FRAME_MS });
    expect(rerenders()).toBeLessThanOrEqual(2);
    driver.close();
  });

  it("answers a key in the next frame", async () => {
    const { driver, frame } = driven({ columns: 100, rows: 30 });
    const effects = driver.input("fix it");
    expect(effects).toEqual([]);
    await vi.waitFor(() => expect(frame()).toContain("› fix it"), { timeout: 500, interval: 5 });
    expect(driver.input("\r")).toEqual([{ type: "submit", text: "fix it" }]);
    driver.close();
  });

  it("redraws for the new size when the terminal is resized mid-run, down to a narrow one", () => {
    const size = { columns: 100, rows: 30 };
    const { driver, frame } = driven(size);
    driver.dispatch({ type: "task-started" });
    driver.drawNow();
    expect(frame().split("\n")[0]).toContain("session 20261202-000000-abcdef");
    Object.assign(size, { columns: 45, rows: 12 });
    driver.drawNow();
    const lines = frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(45);
    expect(lines[0]).not.toContain("session");
    driver.close();
  });
});
