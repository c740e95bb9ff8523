import { execFile } from "node:child_process";

/** A GitHub token and where it came from (never the token itself in messages). */
export interface GitHubToken {
  token?: string;
  tokenSource?: string;
}

/** GITHUB_TOKEN, else GH_TOKEN, else `gh auth token` when the GitHub CLI is installed and logged in; none otherwise. */
export async function resolveGitHubToken(env: Record<string, string | undefined>): Promise<GitHubToken> {
  for (const name of ["GITHUB_TOKEN", "GH_TOKEN"]) {
    const value = env[name]?.trim();
    if (value) return { token: value, tokenSource: name };
  }
  const fromGh = await new Promise<string | undefined>((resolve) => {
    execFile("gh", ["auth", "token"], { timeout: 5_000, env: { PATH: env["PATH"] ?? "", HOME: env["HOME"] ?? "" } }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim() || undefined),
    );
  });
  return fromGh ? { token: fromGh, tokenSource: "gh auth token" } : {};
}
