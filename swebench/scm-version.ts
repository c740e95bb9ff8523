/**
 * The version setuptools-scm would give an installed checkout. Instance images hold a shallow
 * clone without tags, where setuptools-scm can only say `0.1.dev1`, and a repository whose tests
 * check its own version (pytest's do) then fails; the official images install from a full clone.
 * The version is read from the full history on the host and handed to the install as
 * SETUPTOOLS_SCM_PRETEND_VERSION.
 */
import { simpleGit } from "simple-git";

/**
 * The PEP 440 version of a `git describe --tags --long` answer, as setuptools-scm's default
 * scheme makes it: the tag itself at distance 0; else the next version's `.devN` (the last
 * number raised by one, or a tag's own `.devM` replaced); a tag ending in something else
 * (`4.6.0rc1`) gets `.postN`. Undefined when the answer is not of that shape.
 */
export function scmVersion(described: string): string | undefined {
  const match = /^(.+)-(\d+)-g[0-9a-f]+$/.exec(described.trim());
  if (!match) return undefined;
  const tag = match[1]!.replace(/^v(?=\d)/, "");
  const distance = Number(match[2]);
  if (!/^\d/.test(tag)) return undefined;
  if (distance === 0) return tag;
  const devTag = /^(.*\.dev)\d+$/.exec(tag);
  if (devTag) return `${devTag[1]}${distance}`;
  const lastNumber = /^(.*?)(\d+)$/.exec(tag);
  if (lastNumber) return `${lastNumber[1]}${Number(lastNumber[2]) + 1}.dev${distance}`;
  return `${tag}.post${distance}`;
}

/** The setuptools-scm version of `commit` in the repository at `repoPath` (bare or not), or undefined when it has no version tag before it. */
export async function scmVersionOf(repoPath: string, commit: string): Promise<string | undefined> {
  try {
    const described = await simpleGit(repoPath).raw(["describe", "--tags", "--long", "--match", "[0-9]*", "--match", "v[0-9]*", commit]);
    return scmVersion(described);
  } catch {
    return undefined;
  }
}
