import { pySplit, pyStrip } from "./python-text.js";
import { createStatusMap } from "./test-status.js";
import type { StatusMap } from "./test-status.js";

/**
 * The official parse_log_sympy, for `bin/test -C --verbose`. Each test prints `test_name ok`
 * (or ` F`, ` E`, ` f` for an expected failure, ` s`/` w` for skips) on its own line; the last test
 * of a file shares its line with the right-aligned `[OK]`/`[FAIL]`, so that line ends with neither
 * and the official parser does not record it. Failures and errors also get a banner
 * `____ sympy/x/tests/test_y.py:test_z ____` (sympy 1.13+ writes `::` for failures), recorded as
 * FAILED under `path.py:name`. Sympy test ids in the datasets are the bare function names.
 */

/**
 * The name the official failure banner pattern, `(_*) ([^\n]*)\.py:([^\n]*) (_*)`, takes from
 * a line (matched anywhere in the log, so a warning's `path.py:12: ...` line gives one too): from
 * after the line's first space to its last `.py:` that a space follows, then to its last space.
 * No part of the pattern crosses a newline and its greedy middle runs to the line's last space,
 * so a line gives at most one name. Found with indexOf: as a regex it backtracks cubically on a
 * long line of spaces (12 s on 64 KB).
 */
function failureBannerName(line: string): string | undefined {
  const firstSpace = line.indexOf(" ");
  const lastSpace = line.lastIndexOf(" ");
  if (firstSpace === -1 || lastSpace < 4) return undefined;
  const extension = line.lastIndexOf(".py:", lastSpace - 4);
  if (extension <= firstSpace) return undefined;
  return `${line.slice(firstSpace + 1, extension)}.py:${line.slice(extension + 4, lastSpace)}`;
}

/** The official parse_log_sympy. */
export function parseLogSympy(log: string): StatusMap {
  const statusMap = createStatusMap();
  const lines = log.split("\n");
  for (const line of lines) {
    if (!line.includes(".py:")) continue;
    const name = failureBannerName(line);
    if (name !== undefined) statusMap[name] = "FAILED";
  }
  for (const rawLine of lines) {
    const line = pyStrip(rawLine);
    if (!line.startsWith("test_")) continue;
    const name = pySplit(line)[0] as string;
    if (line.endsWith(" E")) statusMap[name] = "ERROR";
    if (line.endsWith(" F")) statusMap[name] = "FAILED";
    if (line.endsWith(" ok")) statusMap[name] = "PASSED";
  }
  return statusMap;
}
