/** Secrets shorter than this are not redacted by value: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * Returns a function that replaces every occurrence of the given secret values in a text.
 * Used on error messages, logs and trajectories so API keys and tokens never leave the process.
 */
export function createSecretRedactor(secrets: Iterable<string | undefined>): (text: string) => string {
  const values = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= MIN_SECRET_LENGTH))]
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, secret) => out.split(secret).join("[redacted]"), text);
}
