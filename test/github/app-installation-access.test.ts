import { generateKeyPairSync } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createInstallationAccess, findRepositoryInstallation } from "../../src/github/app-installation-access.js";
import { listRepositoryIssues } from "../../src/github/list-repository-issues.js";
import { upsertMarkedComment } from "../../src/github/issue-comments.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

/** An App key pair as GitHub hands it out: the private key in PKCS#1 PEM. */
function appKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs1", format: "pem" } });
}

const installationToken = "ghs_installation_token_0123456789";
let key: { privateKey: string; publicKey: string };
let otherKey: { privateKey: string; publicKey: string };
let github: FakeGitHubServer;

beforeAll(() => {
  key = appKeyPair();
  otherKey = appKeyPair();
});

beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.addAppInstallation({ appId: 1234, publicKeyPem: key.publicKey, installationId: 77, owner: "acme", repo: "tool", token: installationToken, slug: "agent-triage" });
});

afterEach(async () => {
  await github.close();
});

describe("createInstallationAccess", () => {
  it("exchanges the App's JWT for an installation token", async () => {
    const access = await createInstallationAccess({ appId: 1234, privateKey: key.privateKey, installationId: 77, apiUrl: github.apiUrl });
    expect(access).toEqual({ token: installationToken, apiUrl: github.apiUrl, tokenSource: "GitHub App 1234 installation 77" });
    expect(github.requests).toEqual([{ method: "POST", path: "/app/installations/77/access_tokens", authorization: expect.stringMatching(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/) }]);
  });

  it("gives access that reads a private repository and comments as the App's bot", async () => {
    github.makePrivate("acme", "tool", installationToken);
    github.addIssue("acme", "tool", 1, { title: "t", body: "b" });
    const access = await createInstallationAccess({ appId: "1234", privateKey: key.privateKey, installationId: 77, apiUrl: github.apiUrl });
    expect(await listRepositoryIssues({ owner: "acme", repo: "tool" }, access)).toHaveLength(1);
    await upsertMarkedComment({ owner: "acme", repo: "tool", number: 1 }, access, { marker: "<!-- agent -->", body: "Hello." });
    const again = await upsertMarkedComment({ owner: "acme", repo: "tool", number: 1 }, access, { marker: "<!-- agent -->", body: "Hello.", author: "agent-triage[bot]" });
    expect(again.action).toBe("unchanged");
  });

  it("names the App id and the private key when GitHub rejects the JWT of another key", async () => {
    const failure = await createInstallationAccess({ appId: 1234, privateKey: otherKey.privateKey, installationId: 77, apiUrl: github.apiUrl }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "github-app-auth", message: expect.stringMatching(/GitHub App 1234 \(401.*Check the App id, and that the private key file is a current key of that App/) });
  });

  it("names the App id when GitHub does not know it", async () => {
    await expect(createInstallationAccess({ appId: 999, privateKey: key.privateKey, installationId: 77, apiUrl: github.apiUrl })).rejects.toMatchObject({ code: "github-app-auth", message: expect.stringContaining("GitHub App 999") });
  });

  it("asks for the App's private key file when the key cannot sign", async () => {
    const failure = await createInstallationAccess({ appId: 1234, privateKey: "not a key", installationId: 77, apiUrl: github.apiUrl }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "github-app-key", message: expect.stringMatching(/GitHub App 1234 with the private key given .*Give the App's private key file/) });
    expect(github.requests).toEqual([]);
  });

  it("says to install the App when the installation does not exist", async () => {
    await expect(createInstallationAccess({ appId: 1234, privateKey: key.privateKey, installationId: 78, apiUrl: github.apiUrl })).rejects.toMatchObject({
      code: "github-app-not-installed",
      message: expect.stringMatching(/GitHub App 1234 has no installation 78 \(404\)\. Install the App/),
    });
  });
});

describe("findRepositoryInstallation", () => {
  it("finds the installation that covers a repository with the App's JWT", async () => {
    expect(await findRepositoryInstallation({ owner: "acme", repo: "tool" }, { appId: 1234, privateKey: key.privateKey, apiUrl: github.apiUrl })).toBe(77);
    expect(github.requests).toEqual([{ method: "GET", path: "/repos/acme/tool/installation", authorization: expect.stringMatching(/^bearer /) }]);
  });

  it("says to install the App on a repository it is not installed on", async () => {
    await expect(findRepositoryInstallation({ owner: "acme", repo: "other" }, { appId: 1234, privateKey: key.privateKey, apiUrl: github.apiUrl })).rejects.toMatchObject({
      code: "github-app-not-installed",
      message: expect.stringContaining("GitHub App 1234 is not installed on acme/other (404). Install the App on acme/other"),
    });
  });

  it("names the App id and key when the JWT is refused", async () => {
    await expect(findRepositoryInstallation({ owner: "acme", repo: "tool" }, { appId: 1234, privateKey: otherKey.privateKey, apiUrl: github.apiUrl })).rejects.toMatchObject({ code: "github-app-auth" });
  });
});
