import { readFileSync } from "node:fs";

/** The version in package.json, found relative to this file (works from src and from dist). */
export function packageVersion(): string {
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const data = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (data.name === "agent-coder" && data.version) return data.version;
    } catch {
      // not at this depth; try the next
    }
  }
  return "unknown";
}
