import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentConfigSchema, type AgentConfig } from "../../src/config/schema.js";
import { ConfigError } from "../../src/errors.js";
import { createEmbeddings } from "../../src/models/create-embeddings.js";
import { createIssueIndex } from "../../src/triage/issue-index.js";

/** One request the embeddings server received. */
interface ReceivedRequest {
  path: string;
  authorization: string | undefined;
  body: { model?: string; input?: string | string[] };
}

/**
 * A local server that answers OpenAI's `/v1/embeddings` and Ollama's `/api/embed` in their JSON
 * shapes (test/support/fake-model-server.ts serves chat only). The vector of a text is
 * [length, vowels, 1]; `status` makes every request fail with that HTTP status.
 */
async function startEmbeddingsServer(): Promise<{ url: string; requests: ReceivedRequest[]; failWith(status: number): void; close(): Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  let failure: number | undefined;
  const vectorOf = (text: string): number[] => [text.length, (text.match(/[aeiou]/g) ?? []).length, 1];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    request.on("end", () => {
      const body = JSON.parse(raw || "{}") as ReceivedRequest["body"];
      requests.push({ path: request.url ?? "", authorization: request.headers.authorization, body });
      const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
      response.setHeader("content-type", "application/json");
      if (failure !== undefined) {
        response.statusCode = failure;
        response.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
      } else if (request.url === "/v1/embeddings") {
        response.end(
          JSON.stringify({
            object: "list",
            data: inputs.map((input, index) => ({ object: "embedding", index, embedding: vectorOf(input) })),
            model: body.model,
            usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
          }),
        );
      } else if (request.url === "/api/embed") {
        response.end(JSON.stringify({ model: body.model, embeddings: inputs.map(vectorOf) }));
      } else {
        response.statusCode = 404;
        response.end(JSON.stringify({ error: `no route for ${request.url}` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failWith: (status) => (failure = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let server: Awaited<ReturnType<typeof startEmbeddingsServer>>;
beforeEach(async () => {
  server = await startEmbeddingsServer();
});
afterEach(async () => {
  await server.close();
});

const userConfigPath = "/home/user/.config/agent/config.json";
const configWith = (providers: Record<string, unknown>): AgentConfig =>
  agentConfigSchema.parse({ modelRequest: { timeoutMs: 5_000 }, providers });

describe("createEmbeddings", () => {
  it("embeds through an OpenAI provider's base URL, sending the model and the key", async () => {
    const embeddings = createEmbeddings({
      model: "openai:text-embedding-3-small",
      config: configWith({ openai: { baseUrl: `${server.url}/v1`, apiKey: "sk-test-0123456789" } }),
      userConfigPath,
    });
    const vectors = await embeddings.embedDocuments(["timeout", "pool"]);
    expect(vectors).toEqual([[7, 4, 1], [4, 2, 1]]);
    expect(server.requests[0]).toMatchObject({
      path: "/v1/embeddings",
      authorization: "Bearer sk-test-0123456789",
      body: { model: "text-embedding-3-small", input: ["timeout", "pool"] },
    });
  });

  it("needs no key for an OpenAI-compatible provider at its own base URL", async () => {
    const embeddings = createEmbeddings({
      model: "local:bge-small",
      config: configWith({ local: { kind: "openai", baseUrl: `${server.url}/v1` } }),
      userConfigPath,
    });
    expect(await embeddings.embedQuery("retry")).toEqual([5, 1, 1]);
  });

  it("embeds through Ollama's /api/embed", async () => {
    const embeddings = createEmbeddings({ model: "ollama:nomic-embed-text", config: configWith({ ollama: { baseUrl: server.url } }), userConfigPath });
    expect(await embeddings.embedDocuments(["proxy"])).toEqual([[5, 1, 1]]);
    expect(server.requests[0]).toMatchObject({ path: "/api/embed", body: { model: "nomic-embed-text" } });
  });

  it("says which variable to set when the OpenAI key is missing", () => {
    const create = (): unknown => createEmbeddings({ model: "openai:text-embedding-3-small", config: configWith({}), userConfigPath });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/Set OPENAI_API_KEY \(or providers\.openai\.apiKey in \/home\/user\/\.config\/agent\/config\.json\)/);
  });

  it("says which variable to set when a provider's apiKeyEnv is unset", () => {
    const config = configWith({ corp: { kind: "openai", baseUrl: `${server.url}/v1`, apiKeyEnv: "CORP_EMBEDDINGS_KEY" } });
    expect(() => createEmbeddings({ model: "corp:e5-large", config, userConfigPath })).toThrow(/Set CORP_EMBEDDINGS_KEY/);
  });

  it("refuses a provider without embeddings, naming models that have them", () => {
    const config = configWith({ anthropic: { apiKey: "sk-ant-test" } });
    expect(() => createEmbeddings({ model: "anthropic:claude-sonnet-4-5", config, userConfigPath })).toThrow(
      /has no embeddings API.*openai:text-embedding-3-small/,
    );
  });

  it("lets duplicate detection fall back to words, with a note, when the server answers 401", async () => {
    server.failWith(401);
    const embeddings = createEmbeddings({
      model: "openai:text-embedding-3-small",
      config: configWith({ openai: { baseUrl: `${server.url}/v1`, apiKey: "sk-revoked-0123456789" } }),
      userConfigPath,
    });
    const index = createIssueIndex();
    index.update([
      {
        number: 1,
        title: "Upload of large files times out",
        body: "upload_file raises ReadTimeout after 30 seconds",
        state: "open",
        stateReason: null,
        labels: [],
        author: "someone",
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-01T00:00:00Z",
        closedAt: null,
        htmlUrl: "https://github.com/acme/widgets/issues/1",
      },
    ]);
    const result = await index.findDuplicates({ title: "Timeout uploading big files", body: "upload_file ReadTimeout" }, { embeddings });
    expect(result.candidates.map((candidate) => candidate.number)).toEqual([1]);
    expect(result.candidates[0]?.embeddingSimilarity).toBeUndefined();
    expect(result.notes).toEqual([expect.stringMatching(/^The embedding model text-embedding-3-small failed \(401 Incorrect API key provided\); the candidates are ranked by shared words alone/)]);
  });
});
