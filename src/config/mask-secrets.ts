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

/** Hides the password of a URL with credentials (https://user:pass@host), keeping the rest readable. */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_match, scheme: string, userInfo: string) => {
    const user = userInfo.split(":")[0] ?? "";
    return `${scheme}${userInfo.includes(":") ? `${user}:****` : "****"}@`;
  });
}

/** The value to display for the setting at `segments`: secrets masked, URL credentials hidden. */
export function maskConfigValue(segments: readonly string[], value: unknown): unknown {
  if (value === undefined) return value;
  if (isSecretPath(segments)) return maskSecret(String(value));
  return typeof value === "string" ? maskUrlCredentials(value) : value;
}
