/**
 * The git port of one run: status, the run's patch against its base commit, commits, branches
 * and restores in one working tree, through simple-git with a neutral environment.
 */
import { copyFile, mkdir, mkdtemp, realpath, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { GitError } from "../errors.js";
import { createSimpleGit, gitErrorLine, gitFailure, runGit, tryGit, type GitOutcome, type GitProcessOptions } from "./git-process.js";
import { chownTree, ownerToPreserve } from "./preserve-ownership.js";

/**
 * Build and tool artefacts that never belong in a patch or a commit, even when no .gitignore
 * says so. gitignore syntax: a trailing "/" names a directory; every pattern matches at any depth.
 */
export const BUILD_ARTEFACT_PATTERNS: readonly string[] = [
  "__pycache__/",
  "*.pyc",
  "*.pyo",
  "*.egg-info/",
  ".pytest_cache/",
  ".mypy_cache/",
  ".tox/",
  "node_modules/",
  ".coverage",
  "*.so",
  "*.o",
  ".agent/",
];

/** How a file differs from the last commit. */
export type FileChangeStatus = "modified" | "added" | "deleted" | "renamed" | "untracked";

/** One changed file; `from` is the old path of a rename. */
export interface FileChange {
  path: string;
  status: FileChangeStatus;
  from?: string;
}

/** The branch (null when HEAD is detached) and the files that differ from the last commit. */
export interface WorkspaceStatus {
  branch: string | null;
  files: FileChange[];
}

/** Git operations on the working tree of one run. Paths are relative to the working tree's root. */
export interface WorkspaceGit {
  /** The working tree on the host. */
  readonly workdir: string;
  /** The commit the run started from; the patch is everything since. */
  readonly baseCommit: string;
  /** Branch and changed files against the last commit (HEAD), build artefacts left out. */
  status(): Promise<WorkspaceStatus>;
  /**
   * The run's patch: the working tree against the base commit, with new, deleted, renamed and
   * binary files, build artefacts and ignored files left out; applies with `git apply` on a
   * checkout of the base commit. Empty when nothing changed. Leaves the repository untouched.
   */
  patch(options?: { paths?: string[] }): Promise<string>;
  /** The paths the patch touches (both sides of a rename), sorted. */
  changedFiles(): Promise<string[]>;
  /** Stages everything (artefacts left out) and commits; returns the new commit's sha. */
  commit(message: string): Promise<string>;
  /** Creates a branch at HEAD, and switches to it when `checkout` is true. */
  createBranch(name: string, options?: { checkout?: boolean }): Promise<void>;
  /** Makes a path match the base commit in the working tree and index: a file added since is deleted. */
  restoreFile(path: string): Promise<void>;
  /** The full sha of HEAD. */
  headCommit(): Promise<string>;
  /** Applies a patch (as `patch()` makes them) to the working tree; a patch that does not apply throws and changes nothing. */
  applyPatch(patch: string): Promise<void>;
  /**
   * Puts the working tree back to the base commit plus `patch` (empty: the base commit itself),
   * then checks that the tree's patch is exactly `patch`; throws a GitError (code
   * `reset-failed`) when a step fails or the result differs. Ignored files stay.
   */
  resetTo(patch: string): Promise<void>;
}

/** Pathspecs that leave the build artefacts out of `git add` and `git status`. */
const EXCLUDE_PATHSPECS: readonly string[] = BUILD_ARTEFACT_PATTERNS.flatMap((pattern) => {
  if (!pattern.endsWith("/")) return [`:(exclude,glob)**/${pattern}`];
  const name = pattern.slice(0, -1);
  return [`:(exclude,glob)**/${name}`, `:(exclude,glob)**/${name}/**`];
});

const ALL_BUT_ARTEFACTS = ["--", ".", ...EXCLUDE_PATHSPECS];

/** Options that make `git diff` output the same whatever the repository's config says. */
const DIFF_OPTIONS = [
  "--no-color",
  "--no-ext-diff",
  "--no-textconv",
  "--submodule=short",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "-M",
];

/** The git commands of one operation, all run with the same guarded configuration. */
interface GitOperation {
  /** The repository's .git directory (checked to be the working tree's own). */
  gitDir: string;
  /** Runs git; a non-zero exit throws a GitError ending with `hint`. */
  run(args: readonly string[], hint?: string, env?: Record<string, string>): Promise<string>;
  /** Runs git and returns its outcome whatever the exit code. */
  attempt(args: readonly string[], env?: Record<string, string>): Promise<GitOutcome>;
  /** The options for simple-git's own commands (status). */
  processOptions: GitProcessOptions;
}

/**
 * Creates the git port for one working tree; `baseCommit` should be a full sha. The tree must
 * have its own .git directory (a clone, as `createWorkspace` makes): the agent can write it from
 * inside the sandbox, so every operation first checks that .git still belongs to this tree and
 * disables the filter drivers its config may name, so no program from the repository runs here.
 */
export function createWorkspaceGit(options: { workdir: string; baseCommit: string }): WorkspaceGit {
  const workdir = resolve(options.workdir);
  const { baseCommit } = options;
  const shortBase = baseCommit.slice(0, 7);
  const repositoryHint = `Check that ${workdir} is a git working tree this process can read.`;
  const baseHint = `Check that the base commit ${shortBase} is in the repository at ${workdir}.`;

  /** Checks the repository and returns the commands of one operation with filters disabled. */
  async function begin(): Promise<GitOperation> {
    // The two questions are independent: asked together, an operation waits for one git process less.
    const [located, filterConfig] = await Promise.all([
      runGit(["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"], { cwd: workdir, hint: repositoryHint }),
      disabledFilterConfig(workdir),
    ]);
    const [gitDir = "", commonDir = ""] = located.split("\n").map((line) => line.trim());
    const ownGitDir = join(await realpath(workdir), ".git");
    const [realGitDir, realCommonDir] = await Promise.all([realpath(gitDir), realpath(commonDir)]);
    if (realGitDir !== ownGitDir || realCommonDir !== ownGitDir) {
      throw new GitError(
        `The repository of ${workdir} is not its own .git directory (git uses ${realCommonDir}); refusing to run git on it from the host. ` +
          "Recreate the workspace with createWorkspace (a clone with its own .git).",
        { code: "unsafe-repository" },
      );
    }
    const processOptions: GitProcessOptions = { cwd: workdir, config: filterConfig };
    return {
      gitDir: realGitDir,
      processOptions,
      run: (args, hint = repositoryHint, env) => runGit(args, { ...processOptions, env, hint }),
      attempt: (args, env) => tryGit(args, { ...processOptions, env }),
    };
  }

  /** After a command that wrote into the repository, gives new files back to the tree's owner. */
  async function writing<T>(operation: (git: GitOperation) => Promise<T>, worktreePaths: readonly string[] = []): Promise<T> {
    const git = await begin();
    const owner = await ownerToPreserve(workdir);
    try {
      return await operation(git);
    } finally {
      if (owner !== undefined) await chownTree([git.gitDir, ...worktreePaths], owner);
    }
  }

  /**
   * Runs `use` with an index that holds the working tree as a commit would (base commit plus
   * every change, artefacts left out). Both the index and the objects git writes for it live in
   * a temporary directory (the repository's objects are read through alternates), so the
   * repository's own index and object store are not touched.
   */
  async function withWorkingTreeIndex<T>(use: (git: GitOperation, env: Record<string, string>) => Promise<T>): Promise<T> {
    const git = await begin();
    const scratch = await mkdtemp(join(tmpdir(), "agent-patch-"));
    try {
      await mkdir(join(scratch, "objects"));
      const env = {
        GIT_INDEX_FILE: join(scratch, "index"),
        GIT_OBJECT_DIRECTORY: join(scratch, "objects"),
        GIT_ALTERNATE_OBJECT_DIRECTORIES: quoteAlternate(join(git.gitDir, "objects")),
      };
      // Starting from a copy of the real index lets `read-tree -m` keep the stat data of
      // unchanged files, so `git add` need not hash the whole tree again (7x faster on 6,000
      // files). Any trouble with the copy (unmerged entries, a split index) falls back to a
      // fresh index, which gives the same result.
      const copied = await copyIndex(join(git.gitDir, "index"), env.GIT_INDEX_FILE).then(
        () => true,
        () => false,
      );
      const merged = copied && (await git.attempt(["-c", "core.splitIndex=false", "read-tree", "-m", baseCommit], env)).exitCode === 0;
      if (!merged) {
        await rm(env.GIT_INDEX_FILE, { force: true });
        await git.run(["read-tree", baseCommit], baseHint, env);
      }
      await git.run(["-c", "core.splitIndex=false", "add", "-A", ...ALL_BUT_ARTEFACTS], repositoryHint, env);
      return await use(git, env);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async function diffAgainstBase(git: GitOperation, env: Record<string, string>, paths: readonly string[], attributesFile?: string): Promise<string> {
    const attributes = attributesFile === undefined ? [] : ["-c", `core.attributesFile=${attributesFile}`];
    const pathspecs = paths.length > 0 ? ["--", ...paths] : [];
    const args = [...attributes, "-c", "core.quotePath=true", "diff", "--cached", "--binary", ...DIFF_OPTIONS, baseCommit, ...pathspecs];
    const outcome = await git.attempt(args, env);
    if (outcome.exitCode !== 0) throw pathOrRepositoryError(["diff"], outcome, workdir, repositoryHint);
    return outcome.stdout;
  }

  return {
    workdir,
    baseCommit,

    async status() {
      const git = await begin();
      let result;
      try {
        result = await createSimpleGit(git.processOptions).status([...ALL_BUT_ARTEFACTS]);
      } catch (error) {
        throw new GitError(`git status failed: ${gitErrorLine(error instanceof Error ? error.message : String(error))}. ${repositoryHint}`, {
          cause: error,
        });
      }
      const files = result.files.map((file): FileChange => {
        const status = fileChangeStatus(file.index, file.working_dir);
        return status === "renamed" && file.from !== undefined ? { path: file.path, status, from: file.from } : { path: file.path, status };
      });
      return { branch: result.detached || result.current === null ? null : result.current, files };
    },

    async patch(patchOptions) {
      const paths = patchOptions?.paths ?? [];
      return withWorkingTreeIndex(async (git, env) => {
        let patch = await diffAgainstBase(git, env, paths);
        // The patch is text: a file that is not UTF-8 (a Latin-1 fixture) would not survive
        // decoding, so such files are diffed again as binary, which keeps their exact bytes.
        const undecodable = pathsWithReplacementCharacters(patch);
        if (undecodable.length > 0) {
          const attributesDir = await mkdtemp(join(tmpdir(), "agent-attributes-"));
          try {
            const attributesFile = join(attributesDir, "attributes");
            await writeFile(attributesFile, undecodable.map((path) => `${exactAttributePattern(path)} -diff\n`).join(""));
            patch = await diffAgainstBase(git, env, paths, attributesFile);
          } finally {
            await rm(attributesDir, { recursive: true, force: true });
          }
        }
        return patch === "" || patch.endsWith("\n") ? patch : `${patch}\n`;
      });
    },

    async changedFiles() {
      const output = await withWorkingTreeIndex((git, env) =>
        git.run(["diff", "--cached", "--name-status", "-z", "--no-ext-diff", "-M", baseCommit], repositoryHint, env),
      );
      const fields = output.split("\0");
      const paths = new Set<string>();
      for (let index = 0; index < fields.length; ) {
        const status = fields[index] ?? "";
        if (status === "") break;
        const pathCount = status.startsWith("R") || status.startsWith("C") ? 2 : 1;
        for (const path of fields.slice(index + 1, index + 1 + pathCount)) paths.add(path);
        index += 1 + pathCount;
      }
      return [...paths].sort();
    },

    async commit(message) {
      if (message.trim() === "") throw new GitError("The commit message is empty; say what the change does.", { code: "empty-commit-message" });
      return writing(async (git) => {
        await git.run(["add", "-A", ...ALL_BUT_ARTEFACTS]);
        const staged = await git.run(["diff", "--cached", "--name-only", "-z", "--no-ext-diff"]);
        if (staged === "") {
          const head = (await git.run(["rev-parse", "--short", "HEAD"])).trim();
          throw new GitError(`Nothing to commit: the working tree has no changes since the last commit (${head}). Change files first.`, {
            code: "nothing-to-commit",
          });
        }
        const identity = await identityArguments(git);
        await git.run([...identity, "commit", "--quiet", "--no-verify", "-m", message], "Check the repository's state with git status.");
        return (await git.run(["rev-parse", "HEAD"])).trim();
      });
    },

    async createBranch(name, branchOptions) {
      await assertValidBranchName(name, { cwd: workdir });
      await writing(async (git) => {
        const existing = await git.attempt(["rev-parse", "--verify", "--quiet", `refs/heads/${name}`]);
        if (existing.exitCode === 0) {
          throw new GitError(`A branch named "${name}" already exists; choose another name.`, { code: "branch-exists" });
        }
        await git.run(branchOptions?.checkout === true ? ["switch", "--quiet", "-c", name] : ["branch", name]);
      });
    },

    async restoreFile(path) {
      if (path.trim() === "") throw new GitError("The path is empty; give a path relative to the repository root.", { code: "bad-path" });
      const pathspec = `:(literal)${path}`;
      const hostPath = resolve(workdir, path);
      const fromRoot = relative(workdir, hostPath);
      const insideTree = fromRoot === "" || (fromRoot !== ".." && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot));
      await writing(async (git) => {
        const restore = await git.attempt(["restore", `--source=${baseCommit}`, "--staged", "--worktree", "--", pathspec]);
        if (restore.exitCode !== 0 && !/did not match any file/.test(restore.stderr)) {
          throw pathOrRepositoryError(["restore"], restore, workdir, repositoryHint);
        }
        const untracked = await git.run(["ls-files", "-z", "--others", "--exclude-standard", "--", pathspec]);
        if (untracked !== "") await git.run(["clean", "-f", "-d", "-q", "--", pathspec]);
        if (restore.exitCode !== 0 && untracked === "") {
          throw new GitError(
            `${path} is neither in the base commit ${shortBase} nor a new file in the working tree, so there is nothing to restore. ` +
              "Give a path relative to the repository root, as git_status shows it.",
            { code: "not-found" },
          );
        }
      }, insideTree ? [hostPath] : []);
    },

    async headCommit() {
      return (await runGit(["rev-parse", "HEAD"], { cwd: workdir, hint: `Check that ${workdir} is a git working tree with at least one commit.` })).trim();
    },

    applyPatch: (patch) => applyPatchFile(patch),

    async resetTo(patch) {
      const failed = (step: string, cause: unknown) =>
        new GitError(`Could not put ${workdir} back to the base commit ${shortBase}${patch ? " plus its checkpoint patch" : ""}: ${step} failed (${cause instanceof Error ? cause.message : String(cause)}).`, {
          code: "reset-failed",
          cause,
        });
      try {
        await writing(async (git) => {
          await git.run(["read-tree", "--reset", "-u", baseCommit], baseHint);
          await git.run(["clean", "-f", "-d", "-q", ...ALL_BUT_ARTEFACTS], repositoryHint);
        }, [workdir]);
      } catch (error) {
        throw failed("restoring the base commit", error);
      }
      if (patch.trim() !== "") await applyPatchFile(patch).catch((error: unknown) => Promise.reject(failed("applying the patch", error)));
      const now = await this.patch();
      if (now !== (patch === "" || patch.endsWith("\n") ? patch : `${patch}\n`)) {
        throw new GitError(`After putting ${workdir} back, its patch differs from the expected one (${now.length} characters instead of ${patch.length}).`, { code: "reset-failed" });
      }
    },
  };

  async function applyPatchFile(patch: string): Promise<void> {
    const scratch = await mkdtemp(join(tmpdir(), "agent-apply-"));
    try {
      const file = join(scratch, "change.patch");
      await writeFile(file, patch);
      await writing((git) => git.run(["apply", "--whitespace=nowarn", file], "The patch does not apply to the working tree as it is."), [workdir]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

/**
 * Copies an index file keeping it a second older than the original: git trusts an entry's stat
 * data only when the file is older than the index, so a fresh timestamp on the copy would hide
 * an edit made in the same instant the real index was written (same size, same mtime).
 */
async function copyIndex(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  const { atime, mtime } = await stat(from);
  await utimes(to, atime, new Date(mtime.getTime() - 1000));
}

/**
 * `-c` settings that switch off every filter driver the repository's config names (clean,
 * smudge and process commands would run on the host during add, status and restore); files are
 * then taken byte for byte.
 */
async function disabledFilterConfig(workdir: string): Promise<string[]> {
  // `--list` always prints something (the command-line settings at least): simple-git waits 50 ms
  // for a process that exits without output, which `--get-regexp` does when no filter is defined.
  const listed = await tryGit(["config", "-z", "--name-only", "--list"], { cwd: workdir });
  if (listed.exitCode !== 0) return [];
  const drivers = new Set(
    listed.stdout
      .split("\0")
      .filter((key) => key.startsWith("filter."))
      .map((key) => key.slice("filter.".length, key.lastIndexOf("."))),
  );
  return [...drivers]
    .filter((driver) => driver !== "")
    .flatMap((driver) => ["clean", "smudge", "process"].map((command) => `filter.${driver}.${command}=`).concat(`filter.${driver}.required=false`));
}

/** Refuses a name git would not accept for a branch (`git check-ref-format --branch`). */
export async function assertValidBranchName(name: string, at: GitProcessOptions): Promise<void> {
  const advice = 'Use letters, digits, "-", "_", "." and "/", e.g. "fix/issue-123".';
  if (name === "" || name.startsWith("-")) {
    throw new GitError(`"${name}" is not a valid branch name. ${advice}`, { code: "bad-branch-name" });
  }
  const check = await tryGit(["check-ref-format", "--branch", name], at);
  if (check.exitCode !== 0 || check.stdout.trim() !== name) {
    throw new GitError(`"${name}" is not a valid branch name. ${advice}`, { code: "bad-branch-name" });
  }
}

/** `-c user.name=… -c user.email=…` when the repository configures no identity (global config is never read). */
async function identityArguments(git: GitOperation): Promise<string[]> {
  const name = await git.attempt(["config", "--get", "user.name"]);
  const email = await git.attempt(["config", "--get", "user.email"]);
  return [
    ...(name.exitCode === 0 && name.stdout.trim() !== "" ? [] : ["-c", "user.name=agent"]),
    ...(email.exitCode === 0 && email.stdout.trim() !== "" ? [] : ["-c", "user.email=agent@localhost"]),
  ];
}

function fileChangeStatus(index: string, workingDir: string): FileChangeStatus {
  if (index === "?" || workingDir === "?") return "untracked";
  if (index === "R" || workingDir === "R") return "renamed";
  if (index === "D" || workingDir === "D") return "deleted";
  if (index === "A" || index === "C") return "added";
  return "modified";
}

/** A path the model gave that git refuses (outside the repository) is the model's to fix. */
function pathOrRepositoryError(args: string[], outcome: { exitCode: number; stdout: string; stderr: string }, workdir: string, hint: string): GitError {
  if (/outside repository/.test(outcome.stderr)) {
    return gitFailure(args, outcome, `Paths are relative to the repository root ${workdir}.`, "bad-path");
  }
  return gitFailure(args, outcome, hint);
}

/**
 * The paths (as raw bytes) of the patch's file sections that contain U+FFFD, the mark of bytes
 * that were not UTF-8, read from their "--- a/…" and "+++ b/…" lines (C-quoted when unusual).
 */
function pathsWithReplacementCharacters(patch: string): Buffer[] {
  if (!patch.includes("\uFFFD")) return [];
  const paths = new Map<string, Buffer>();
  for (const section of patch.split(/^(?=diff --git )/m)) {
    if (!section.includes("\uFFFD")) continue;
    for (const match of section.matchAll(/^(?:---|\+\+\+) (.*)$/gm)) {
      const name = (match[1] ?? "").replace(/\t$/, "");
      if (name === "/dev/null") continue;
      const bytes = name.startsWith('"') ? unquoteC(name) : Buffer.from(name);
      const withoutPrefix = bytes.subarray(2);
      paths.set(withoutPrefix.toString("hex"), withoutPrefix);
    }
  }
  return [...paths.values()];
}

/** Undoes git's C-style quoting of a path ("a/caf\303\251" → the raw bytes). */
function unquoteC(quoted: string): Buffer {
  const bytes: number[] = [];
  const body = quoted.slice(1, -1);
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index] ?? "";
    if (character !== "\\") {
      bytes.push(...Buffer.from(character));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(index + 1));
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8));
      index += 3;
    } else {
      bytes.push(escapes[body[index + 1] ?? ""] ?? 92);
      index += 1;
    }
  }
  return Buffer.from(bytes);
}

/**
 * An attributes-file pattern that matches exactly this path from the root: glob characters
 * escaped, then C-quoted so blanks and non-ASCII bytes survive.
 */
function exactAttributePattern(path: Buffer): string {
  let quoted = '"/';
  for (const byte of path) {
    const character = String.fromCharCode(byte);
    if ("*?[]!\\".includes(character)) quoted += "\\\\";
    quoted += byte > 0x20 && byte < 0x7f && character !== '"' && character !== "\\" ? character : `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${quoted}"`;
}

/** One entry of GIT_ALTERNATE_OBJECT_DIRECTORIES, C-quoted so ":" in the path is not a separator. */
function quoteAlternate(path: string): string {
  return `"${path.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
