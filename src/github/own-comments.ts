import { createGitHubClient, type GitHubAccess } from "./github-client.js";

/** Which comments are the bot's own: by its login, or (a GitHub App, whose token is no user) by any Bot account. */
export type OwnCommentFilter = { author: string } | { authorType: "Bot" };

/**
 * How to tell the bot's own comments from others that carry the same hidden marker (anyone can
 * paste it): by the login given (`--bot-login`), else by the token's user (GET /user), else —
 * an App installation's token, which GitHub refuses there — by the author being a Bot account,
 * which no person can be.
 */
export async function ownCommentFilter(access: GitHubAccess, botLogin?: string): Promise<OwnCommentFilter> {
  if (botLogin) return { author: botLogin };
  if (access.token) {
    const login = await createGitHubClient(access)
      .rest.users.getAuthenticated()
      .then((response) => response.data.login, () => undefined);
    if (login) return { author: login };
  }
  return { authorType: "Bot" };
}
