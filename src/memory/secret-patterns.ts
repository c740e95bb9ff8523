import { createSecretRedactor } from "../events/redact-secrets.js";

/**
 * Token shapes of well-known providers, for text whose secrets are not known by value (what a
 * model or a tool wrote). Exact known values are redacted by `createSecretRedactor`.
 */

/** What a redacted token is replaced with. */
export const REDACTED = "[redacted]";

/** API keys and tokens recognisable by their prefix; not preceded by a letter or digit, so "risk-..." is left alone. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /(?<![A-Za-z0-9])sk-ant-[\w-]{16,}/g,
  /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g,
  /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,}/g,
  /(?<![A-Za-z0-9])github_pat_\w{20,}/g,
  /(?<![A-Za-z0-9])xox[abp]-[\w-]{10,}/g,
  /(?<![A-Za-z0-9])AKIA[0-9A-Z]{16}(?![A-Za-z0-9])/g,
];

/** An HTTP bearer credential; 16 characters at least, so prose such as "Bearer token" is kept. */
const BEARER_PATTERN = /\b(Bearer\s+)[\w.~+/=-]{16,}/gi;

/** Replaces everything in `text` that looks like an API key or token (OpenAI, Anthropic, GitHub, Slack, AWS, Bearer). */
export function redactTokenPatterns(text: string): string {
  const withoutTokens = TOKEN_PATTERNS.reduce((out, pattern) => out.replace(pattern, REDACTED), text);
  return withoutTokens.replace(BEARER_PATTERN, `$1${REDACTED}`);
}

/**
 * The redaction of everything the user sees and every record: the known secret values (API
 * keys, tokens) first, then anything shaped like a provider's key or token.
 */
export function createRedactor(secrets: Iterable<string | undefined>): (text: string) => string {
  const redactKnown = createSecretRedactor(secrets);
  return (text) => redactTokenPatterns(redactKnown(text));
}
