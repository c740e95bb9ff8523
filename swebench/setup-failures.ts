/**
 * Failed environment set-ups, remembered by the hash of what went into them. Building an
 * environment or instance image that cannot be built takes from 20 s to several minutes, and
 * every prediction of the same instance (or instance of the same environment) would try again:
 * a failure is recorded under the image's tag, which changes with the recipe, and reported at
 * once until the recipe changes or the user asks to retry.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Where failures are kept and whether cached ones are tried again. */
export interface SetupFailureCache {
  dir: string;
  /** Try again even when a failure is recorded (`--redo`). */
  retry: boolean;
}

interface SetupFailureRecord {
  key: string;
  reason: string;
  failedAt: string;
}

/** Keys this process has already tried again under `retry`. */
const retriedKeys = new Set<string>();

/** The file of `key` (an image tag) in the cache. */
function recordFile(cache: SetupFailureCache, key: string): string {
  return join(cache.dir, `${key.replace(/[^a-zA-Z0-9_.-]+/g, "_")}.json`);
}

/** The reason recorded for `key`, with when it failed and how to retry; undefined when none is recorded or retrying. */
export async function cachedSetupFailure(cache: SetupFailureCache | undefined, key: string): Promise<string | undefined> {
  if (!cache) return undefined;
  const file = recordFile(cache, key);
  // --redo tries a recorded failure again once per process, not once per instance that needs it.
  if (cache.retry && !retriedKeys.has(key)) {
    retriedKeys.add(key);
    await rm(file, { force: true });
    return undefined;
  }
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as SetupFailureRecord;
    if (typeof record.reason !== "string") return undefined;
    return `${record.reason}\n(This set-up failed on ${record.failedAt} and its recipe has not changed since, so it was not tried again; pass --redo to try again.)`;
  } catch {
    return undefined;
  }
}

/** Records that building `key` failed, atomically. */
export async function recordSetupFailure(cache: SetupFailureCache | undefined, key: string, reason: string): Promise<void> {
  if (!cache) return;
  await mkdir(cache.dir, { recursive: true });
  const file = recordFile(cache, key);
  const record: SetupFailureRecord = { key, reason, failedAt: new Date().toISOString() };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, file);
}

/** The failure cache inside the harness's cache directory. */
export function setupFailureCache(cacheDir: string, retry: boolean): SetupFailureCache {
  return { dir: join(cacheDir, "swebench-setup-failures"), retry };
}
