import { ModelAuthError, ModelError } from "../errors.js";
import { parseRetryAfter } from "./retry-policy.js";

/** What went wrong with a provider call, reduced to what the retry loop and the user need. */
export interface ModelFailure {
  kind:
    | "auth"
    | "quota"
    | "rate-limit"
    | "context-overflow"
    | "server"
    | "timeout"
    | "network"
    | "refused-locally"
    | "bad-request"
    | "not-found"
    | "unknown";
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  detail: string;
}

/** Who was called, and how the user fixes a credentials problem with it. */
export interface ProviderIdentity {
  /** The model as the user wrote it, e.g. "openai:gpt-4.1". */
  modelKey: string;
  /** The sentence that says how to set this provider's key, e.g. "Set OPENAI_API_KEY or ...". */
  credentialsHint: string;
  baseUrl?: string;
  /** Where the provider's address is set, e.g. "OLLAMA_HOST or providers.ollama.baseUrl". */
  addressHint?: string;
}

/** Hosts of this machine: a refused connection to one means the server is not running, which no retry cures. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

const TIMEOUT_NAMES = new Set(["APIConnectionTimeoutError", "TimeoutError", "ConnectTimeoutError"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET"]);

function readField(error: unknown, key: string): unknown {
  return error && typeof error === "object" ? (error as Record<string, unknown>)[key] : undefined;
}

/** Walks an error and its causes (LangChain and the SDKs wrap each other's errors). */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 6; current = readField(current, "cause")) chain.push(current);
  return chain;
}

function findStatus(chain: unknown[]): number | undefined {
  for (const error of chain) {
    for (const candidate of [readField(error, "status"), readField(readField(error, "response"), "status"), readField(error, "status_code")]) {
      if (typeof candidate === "number" && candidate >= 100 && candidate < 600) return candidate;
    }
  }
  return undefined;
}

function findHeaders(chain: unknown[]): unknown {
  for (const error of chain) {
    const headers = readField(error, "headers") ?? readField(readField(error, "response"), "headers");
    if (headers) return headers;
  }
  return undefined;
}

function describe(error: unknown): string {
  const message = readField(error, "message");
  return typeof message === "string" && message.length > 0 ? message.split("\n")[0]!.slice(0, 300) : String(error);
}

/**
 * Classifies an error thrown by a LangChain chat model or the provider SDK underneath it. A
 * refused connection to a server on this machine (`baseUrl` on loopback) is not retried: it
 * means the server is not running.
 */
export function classifyModelError(error: unknown, baseUrl?: string): ModelFailure {
  const chain = errorChain(error);
  const status = findStatus(chain);
  const detail = describe(error);
  const names = chain.map((e) => String(readField(e, "name") ?? ""));
  const codes = chain.map((e) => String(readField(e, "code") ?? readField(e, "lc_error_code") ?? ""));
  if (names.includes("ContextOverflowError") || codes.some((c) => c === "CONTEXT_OVERFLOW" || c === "context_length_exceeded")) {
    return { kind: "context-overflow", retryable: false, detail };
  }
  // A stream that ended without any message is the provider's fault and usually passes on a retry.
  if (codes.includes("model-empty-stream")) return { kind: "server", retryable: true, detail };
  if (names.includes("InsufficientQuotaError") || codes.includes("insufficient_quota")) {
    return { kind: "quota", retryable: false, status, detail };
  }
  if (status !== undefined) {
    const retryAfterMs = parseRetryAfter(findHeaders(chain));
    if (status === 401 || status === 403) return { kind: "auth", retryable: false, status, detail };
    if (status === 429) return { kind: "rate-limit", retryable: true, status, retryAfterMs, detail };
    if (status === 408) return { kind: "timeout", retryable: true, status, retryAfterMs, detail };
    if (status === 404) return { kind: "not-found", retryable: false, status, detail };
    if (status === 409 || status >= 500) return { kind: "server", retryable: true, status, retryAfterMs, detail };
    return { kind: "bad-request", retryable: false, status, detail };
  }
  if (names.some((n) => TIMEOUT_NAMES.has(n)) || /timed? ?out/i.test(detail)) {
    return { kind: "timeout", retryable: true, detail };
  }
  const refused = codes.includes("ECONNREFUSED") || /ECONNREFUSED/.test(chain.map(describe).join(" "));
  if (refused && baseUrl !== undefined && isLoopback(baseUrl)) return { kind: "refused-locally", retryable: false, detail };
  if (
    codes.some((c) => NETWORK_CODES.has(c)) ||
    names.includes("APIConnectionError") ||
    /fetch failed|connection error|socket hang up|ECONNREFUSED|ECONNRESET/i.test(chain.map(describe).join(" "))
  ) {
    return { kind: "network", retryable: true, detail };
  }
  return { kind: "unknown", retryable: false, detail };
}

function isLoopback(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Turns a classified failure into the error the user sees, with what to do next. */
export function toModelError(failure: ModelFailure, provider: ProviderIdentity, attempts: number, cause: unknown): ModelError {
  const where = provider.baseUrl ? ` at ${provider.baseUrl}` : "";
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  const status = failure.status ? ` (HTTP ${failure.status})` : "";
  switch (failure.kind) {
    case "auth":
      return new ModelAuthError(
        `${provider.modelKey}: the provider rejected the credentials${status}: ${failure.detail}. ${provider.credentialsHint}`,
        { status: failure.status, cause },
      );
    case "quota":
      return new ModelError(
        `${provider.modelKey}: the account's quota is used up${status}: ${failure.detail}. Check the provider's billing, or choose another model.`,
        { retryable: false, status: failure.status, cause, code: "model-quota" },
      );
    case "context-overflow":
      return new ModelError(
        `${provider.modelKey}: the conversation is longer than the model's context window: ${failure.detail}`,
        { retryable: false, cause, code: "model-context-overflow" },
      );
    case "not-found":
      return new ModelError(
        `${provider.modelKey}: not found${where}${status}: ${failure.detail}. Check the model name and the base URL.`,
        { retryable: false, status: failure.status, cause, code: "model-not-found" },
      );
    case "bad-request":
      return new ModelError(`${provider.modelKey}: the provider refused the request${status}: ${failure.detail}`, {
        retryable: false,
        status: failure.status,
        cause,
      });
    case "rate-limit":
      return new ModelError(
        `${provider.modelKey}: rate limited${status}${tries}: ${failure.detail}. Wait and resume, lower --workers, or raise modelRequest.maxRetries.`,
        { retryable: true, status: failure.status, cause, code: "model-rate-limit" },
      );
    case "timeout":
      return new ModelError(
        `${provider.modelKey}: no answer within the time limit${tries}${where}. Raise modelRequest.timeoutMs (AGENT_MODEL_TIMEOUT_MS) or check the server.`,
        { retryable: true, status: failure.status, cause, code: "model-timeout" },
      );
    case "network":
      return new ModelError(
        `${provider.modelKey}: cannot reach the provider${where}${tries}: ${failure.detail}. Check that the server is running and the base URL is right.`,
        { retryable: true, cause, code: "model-unreachable" },
      );
    case "refused-locally":
      return new ModelError(
        `${provider.modelKey}: nothing answers at ${provider.baseUrl} (connection refused). Start the server there` +
          `${provider.modelKey.startsWith("ollama:") ? " (`ollama serve`)" : ""}, or point ${provider.addressHint ?? "the provider's baseUrl"} at where it runs.`,
        { retryable: false, cause, code: "model-unreachable" },
      );
    case "server":
      return new ModelError(`${provider.modelKey}: provider error${status}${tries}: ${failure.detail}. Try again later.`, {
        retryable: true,
        status: failure.status,
        cause,
      });
    case "unknown":
      return new ModelError(`${provider.modelKey}: the call failed: ${failure.detail}`, { retryable: false, cause });
  }
}
