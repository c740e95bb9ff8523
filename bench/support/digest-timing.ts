/**
 * Times the work the product's tree digest does (src/agents/role-node.ts: one `git status` of
 * the workbench, then a read of each changed file) without changing it: the workbench's git port
 * and sandbox are wrapped so `status` and `readFile` are timed while a gate the caller controls is
 * open. The tools keep the unwrapped port and sandbox, so their own calls are never counted.
 */
import type { Workbench } from "../../src/agents/graph-runtime.js";

/** What the timed calls cost so far, and the gate that says when a call counts. */
export interface DigestTiming {
  /** `git status` calls counted: one per tree digest. */
  statusCalls: number;
  statusMs: number;
  /** Changed files read for a digest. */
  readFileCalls: number;
  readFileMs: number;
  /** Calls count only while this is true (e.g. between a tool call's end and the next model call). */
  isCounting: boolean;
}

/** A new timing with nothing counted and the gate open. */
export function createDigestTiming(): DigestTiming {
  return { statusCalls: 0, statusMs: 0, readFileCalls: 0, readFileMs: 0, isCounting: true };
}

/** The same object with one async method timed and every other function bound to the object. */
function timeOneMethod<Target extends object>(target: Target, method: string, record: (ms: number) => void): Target {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      if (property !== method) return value.bind(object);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...callArgs: unknown[]) => Promise<unknown>).apply(object, args);
        } finally {
          record(performance.now() - started);
        }
      };
    },
  });
}

/** The workbench the nodes see, its `git.status` and `sandbox.readFile` timed into `timing`; its tools are left as they were. */
export function withDigestTiming(workbench: Workbench, timing: DigestTiming): Workbench {
  return {
    tools: workbench.tools,
    git: timeOneMethod(workbench.git, "status", (ms) => {
      if (!timing.isCounting) return;
      timing.statusCalls += 1;
      timing.statusMs += ms;
    }),
    sandbox: timeOneMethod(workbench.sandbox, "readFile", (ms) => {
      if (!timing.isCounting) return;
      timing.readFileCalls += 1;
      timing.readFileMs += ms;
    }),
  };
}
