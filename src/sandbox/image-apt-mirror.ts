import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The Debian mirror used when the host's apt sources name none. */
export const DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian";

/** Debian release code names: an apt source for one of these (not `-security`, not `-updates`) is a Debian mirror. */
const DEBIAN_CODENAMES = new Set(["buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid", "stable", "oldstable", "testing", "unstable"]);

const USABLE_SCHEMES = /^(https?|ftp|file):\/\//;

/** One apt source: where it points and which suites it serves. */
export interface AptSource {
  uris: string[];
  suites: string[];
}

/** The sources of a deb822 `.sources` file (stanzas of `Types:`, `URIs:`, `Suites:`...); disabled and `deb-src`-only stanzas are left out. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let current: string | undefined;
    for (const line of stanza.split("\n")) {
      if (line.startsWith("#")) continue;
      const continuation = /^[ \t]+\S/.test(line);
      if (continuation && current) {
        fields.set(current, `${fields.get(current)} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/.exec(line);
      if (!match) continue;
      current = match[1]!.toLowerCase();
      fields.set(current, match[2]!.trim());
    }
    const words = (name: string) => (fields.get(name) ?? "").split(/\s+/).filter(Boolean);
    if (!words("types").includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    sources.push({ uris: words("uris"), suites: words("suites") });
  }
  return sources;
}

/** The sources of a one-line `sources.list` (`deb [options] URI suite components...`). */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*$/, "").trim();
    const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match) sources.push({ uris: [match[1]!], suites: [match[2]!] });
  }
  return sources;
}

/** The first URI that serves a Debian release itself (so not a security or updates archive, nor an Ubuntu mirror), else the default mirror. */
export function chooseDebianMirror(sources: AptSource[]): string {
  for (const source of sources) {
    if (!source.suites.some((suite) => DEBIAN_CODENAMES.has(suite))) continue;
    const uri = source.uris.find((candidate) => USABLE_SCHEMES.test(candidate));
    if (uri) return uri.replace(/\/+$/, "");
  }
  return DEFAULT_DEBIAN_MIRROR;
}

/** Reads the host's apt sources (`/etc/apt/sources.list.d/*.sources` and `*.list`, `/etc/apt/sources.list`) and returns its Debian mirror. */
export async function readHostDebianMirror(aptDir = "/etc/apt"): Promise<string> {
  const sources: AptSource[] = [];
  const listDir = join(aptDir, "sources.list.d");
  const names = await readdir(listDir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (name.endsWith(".sources")) sources.push(...parseDeb822Sources(await readText(join(listDir, name))));
  }
  sources.push(...parseOneLineSources(await readText(join(aptDir, "sources.list"))));
  for (const name of names) {
    if (name.endsWith(".list")) sources.push(...parseOneLineSources(await readText(join(listDir, name))));
  }
  return chooseDebianMirror(sources);
}

async function readText(path: string): Promise<string> {
  return readFile(path, "utf8").catch(() => "");
}
