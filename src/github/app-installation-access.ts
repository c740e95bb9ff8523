import { createAppAuth } from "@octokit/auth-app";
import { GitHubError } from "../errors.js";
import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { describeGitHubFailure, failureResponse } from "./describe-github-failure.js";
import type { RepositoryReference } from "./issue-summary.js";

/** A GitHub App's credentials: its App id (or client id), its private key (the .pem file's text) and the API URL (GitHub Enterprise, or a test server). */
export interface GitHubAppCredentials {
  appId: string | number;
  privateKey: string;
  apiUrl?: string;
}

const DEFAULT_API_URL = "https://api.github.com";
const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function createAuth(credentials: GitHubAppCredentials) {
  return createAppAuth({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    request: createGitHubClient({ apiUrl: credentials.apiUrl ?? DEFAULT_API_URL }).request,
    log: silentLog,
  });
}

/** The failures every App call shares: a key that cannot sign, and a JWT GitHub refuses; undefined for the others. */
function describeAppFailure(error: unknown, credentials: GitHubAppCredentials): GitHubError | undefined {
  const { status, message } = failureResponse(error);
  if (status === undefined) {
    return new GitHubError(
      `Cannot sign a JWT for GitHub App ${credentials.appId} with the private key given (${message}). Give the App's private key file (.pem, "-----BEGIN RSA PRIVATE KEY-----") as downloaded from the App's settings.`,
      { cause: error, code: "github-app-key" },
    );
  }
  if (status === 401) {
    return new GitHubError(
      `GitHub rejected the JWT of GitHub App ${credentials.appId} (401: ${message}). Check the App id, and that the private key file is a current key of that App (generate one in the App's settings if it was deleted); check this machine's clock too.`,
      { cause: error, code: "github-app-auth" },
    );
  }
  return undefined;
}

/**
 * GitHub access as an installation of a GitHub App: exchanges the App's JWT for an installation
 * token (valid for an hour) through POST /app/installations/{id}/access_tokens.
 */
export async function createInstallationAccess(options: GitHubAppCredentials & { installationId: number }): Promise<GitHubAccess> {
  const apiUrl = options.apiUrl ?? DEFAULT_API_URL;
  try {
    const { token } = await createAuth(options)({ type: "installation", installationId: options.installationId });
    return { token, apiUrl, tokenSource: `GitHub App ${options.appId} installation ${options.installationId}` };
  } catch (error) {
    const described = describeAppFailure(error, options);
    if (described) throw described;
    if (failureResponse(error).status === 404) {
      throw new GitHubError(
        `GitHub App ${options.appId} has no installation ${options.installationId} (404). Install the App on the repository (or its account) and give that installation's id.`,
        { cause: error, code: "github-app-not-installed" },
      );
    }
    const subject = `Installation ${options.installationId} of GitHub App ${options.appId}`;
    throw describeGitHubFailure(error, { access: { apiUrl }, subject, action: `create a token for installation ${options.installationId} of GitHub App ${options.appId}`, permission: "App: installation access" });
  }
}

/** The id of the App's installation that covers the repository (GET /repos/{owner}/{repo}/installation with the App's JWT): for a worker or the CLI, which have no webhook payload to read it from. */
export async function findRepositoryInstallation(repo: RepositoryReference, credentials: GitHubAppCredentials): Promise<number> {
  const apiUrl = credentials.apiUrl ?? DEFAULT_API_URL;
  const name = `${repo.owner}/${repo.repo}`;
  try {
    const { token: jwt } = await createAuth(credentials)({ type: "app" });
    const { data } = await createGitHubClient({ apiUrl }).rest.apps.getRepoInstallation({ owner: repo.owner, repo: repo.repo, headers: { authorization: `bearer ${jwt}` } });
    return data.id;
  } catch (error) {
    const described = describeAppFailure(error, credentials);
    if (described) throw described;
    if (failureResponse(error).status === 404) {
      throw new GitHubError(`GitHub App ${credentials.appId} is not installed on ${name} (404). Install the App on ${name} (the App's settings, "Install App"), or check the repository's name.`, {
        cause: error,
        code: "github-app-not-installed",
      });
    }
    throw describeGitHubFailure(error, { access: { apiUrl }, repository: repo, subject: `The installation on ${name}`, action: `find the installation of GitHub App ${credentials.appId} on ${name}`, permission: "App: installation access" });
  }
}
