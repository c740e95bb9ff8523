/**
 * Properties of the run's patch (src/git/workspace-git.ts): `patch()` of a random edit to a real
 * git working tree applies with `applyPatch` to a fresh clone of the base commit and gives back
 * the same tree. Names and contents are what a repository may hold: spaces, quotes, tabs,
 * non-ASCII names, CRLF, Latin-1 and binary files, no newline at the end, executable bits.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as fc from "fast-check";
import { listPatchFiles } from "../../../src/events/run-report.js";
import { createWorkspace } from "../../../src/git/create-workspace.js";
import { createWorkspaceGit } from "../../../src/git/workspace-git.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

/** A file's content: text (LF or CRLF, maybe without a final newline), Latin-1, binary, or empty. */
const content = fc.oneof(
  fc.array(fc.stringMatching(/^[ -~é日]{0,20}$/), { maxLength: 6 }).chain((lines) =>
    fc.constantFrom("\n", "\r\n").chain((newline) => fc.boolean().map((final) => Buffer.from(`${lines.join(newline)}${final && lines.length > 0 ? newline : ""}`))),
  ),
  fc.stringMatching(/^[a-z ]{0,10}$/).map((text) => Buffer.from(`caf\xe9 ${text}\n`, "latin1")),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from([0, ...bytes])),
  fc.constant(Buffer.alloc(0)),
);

/** A path segment git and the file system both take, never a build artefact (those are left out of the patch by design). */
const segment = fc
  .array(fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,5}$/), fc.constantFrom(" ", "x y", "\t", '"', "\\", "é", "日本", "Plan b", "#", "'", "*", "[a]")), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(""))
  .filter((name) => name.trim() !== "" && !/^(\.|__pycache__|node_modules|\.agent|\.git.*|\.coverage)$/.test(name) && !/\.(pyc|pyo|so|o|egg-info)$/.test(name));

const filePath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"));

/** No path may be a directory of another. */
function hasNoPrefixClash(paths: readonly string[]): boolean {
  return paths.every((path) => paths.every((other) => other === path || !other.startsWith(`${path}/`)));
}

const initialTree = fc
  .uniqueArray(fc.record({ path: filePath, content, executable: fc.boolean() }), { selector: (file) => file.path, minLength: 1, maxLength: 5 })
  .filter((files) => hasNoPrefixClash(files.map((file) => file.path)));

/** One edit: by the index of a file of the tree (modulo its size), or a new file. */
type Edit =
  | { kind: "modify"; file: number; content: Buffer }
  | { kind: "delete"; file: number }
  | { kind: "rename"; file: number; to: string }
  | { kind: "chmod"; file: number }
  | { kind: "add"; path: string; content: Buffer };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("modify" as const), file: fc.nat(), content }),
  fc.record({ kind: fc.constant("delete" as const), file: fc.nat() }),
  fc.record({ kind: fc.constant("rename" as const), file: fc.nat(), to: filePath }),
  fc.record({ kind: fc.constant("chmod" as const), file: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), path: filePath, content }),
);

function git(cwd: string, args: string[]): string {
  return execFileSync("git", ["-c", "user.name=fuzz", "-c", "user.email=fuzz@localhost", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Every file of a working tree (.git left out): its bytes and whether it is executable. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name).slice(root.length + 1);
    if (path === ".git" || path.startsWith(".git/")) continue;
    const mode = (await stat(join(root, path))).mode;
    files[path] = `${(mode & 0o100) !== 0 ? "x" : "-"}${(await readFile(join(root, path))).toString("hex")}`;
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function writeTreeFile(root: string, path: string, bytes: Buffer, executable: boolean): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), bytes);
  await chmod(join(root, path), executable ? 0o755 : 0o644);
}

/** Applies the edits that still make sense (a rename onto an existing path or a directory clash is skipped). */
async function applyEdits(root: string, paths: string[], edits: readonly Edit[]): Promise<void> {
  for (const change of edits) {
    if (change.kind === "add") {
      if (!hasNoPrefixClash([...paths, change.path]) || paths.includes(change.path)) continue;
      await writeTreeFile(root, change.path, change.content, false);
      paths.push(change.path);
      continue;
    }
    if (paths.length === 0) continue;
    const index = change.file % paths.length;
    const path = paths[index] as string;
    if (change.kind === "modify") await writeFile(join(root, path), change.content);
    else if (change.kind === "chmod") await chmod(join(root, path), ((await stat(join(root, path))).mode & 0o100) === 0 ? 0o755 : 0o644);
    else if (change.kind === "delete") {
      await unlink(join(root, path));
      paths.splice(index, 1);
    } else {
      const others = paths.filter((other) => other !== path);
      if (others.includes(change.to) || !hasNoPrefixClash([...others, change.to])) continue;
      await mkdir(dirname(join(root, change.to)), { recursive: true });
      await rename(join(root, path), join(root, change.to));
      paths[index] = change.to;
    }
  }
}

export const workspaceGitProperties: FuzzPropertyGroup = {
  subject: "WorkspaceGit patch and applyPatch",
  properties: [
    {
      name: "applies the patch of a random edit to a fresh clone and gets the same tree, the same patch and the files listPatchFiles names",
      weight: 0.03,
      prepare: async () => {
        const root = await mkdtemp(join(tmpdir(), "agent-fuzz-git-"));
        let run = 0;
        const property = fc.asyncProperty(initialTree, fc.array(edit, { minLength: 1, maxLength: 6 }), async (files, edits) => {
          const dir = join(root, String((run += 1)));
          const source = join(dir, "source");
          await mkdir(source, { recursive: true });
          git(source, ["init", "--quiet", "--initial-branch=main"]);
          for (const file of files) await writeTreeFile(source, file.path, file.content, file.executable);
          git(source, ["add", "--all"]);
          git(source, ["commit", "--quiet", "--message", "base"]);
          const base = git(source, ["rev-parse", "HEAD"]).trim();

          const edited = await createWorkspace({ sourceRepo: source, baseCommit: base, workspaceDir: join(dir, "edited") });
          await applyEdits(edited.workdir, files.map((file) => file.path), edits);
          const editedGit = createWorkspaceGit(edited);
          const patch = await editedGit.patch();
          const changed = await editedGit.changedFiles();

          const fresh = await createWorkspace({ sourceRepo: source, baseCommit: base, workspaceDir: join(dir, "fresh") });
          const freshGit = createWorkspaceGit(fresh);
          // An empty patch (the edits undid themselves) is never applied: the one caller checks for it.
          if (patch !== "") await freshGit.applyPatch(patch);
          const [want, got, patchAgain] = await Promise.all([snapshot(edited.workdir), snapshot(fresh.workdir), freshGit.patch()]);
          const listed = listPatchFiles(patch).flatMap((entry) => entry.split(" → "));
          await rm(dir, { recursive: true, force: true });
          if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`the fresh tree differs:\n${JSON.stringify(got)}\ninstead of\n${JSON.stringify(want)}\npatch:\n${patch}`);
          if (patchAgain !== patch) throw new Error(`the fresh tree's patch differs:\n${patchAgain}\ninstead of\n${patch}`);
          if (JSON.stringify([...new Set(listed)].sort()) !== JSON.stringify(changed)) {
            throw new Error(`listPatchFiles names ${JSON.stringify(listed)}, changedFiles ${JSON.stringify(changed)}`);
          }
          return true;
        });
        return { property, dispose: () => rm(root, { recursive: true, force: true }) };
      },
    },
  ],
};
