/** Last segments that name a secret value (`apiKeyEnv` is only a variable name, so it is not one). */
const secretName = /(token|secret|password|api[_-]?key)$/i;

/** True when the value at this key path is a secret that must be masked before display. */
export function isSecretPath(segments: readonly string[]): boolean {
  const last = segments.at(-1);
  return last !== undefined && (last === "apiKey" || secretName.test(last));
}

/** Hides a secret: `****` plus the last 4 characters when it is 12 or more long, else `****`. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : "****";
}
