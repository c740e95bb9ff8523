/** Plain path segments print bare; any other segment (model ids hold "." and ":") is bracketed. */
const plainSegment = /^[A-Za-z0-9_-]+$/;

/**
 * Joins key segments into one unambiguous display path, e.g.
 * `prices["openai:gpt-4.1"].inputPerMTok`; used for provenance keys and in every error message.
 */
export function formatConfigPath(segments: readonly string[]): string {
  let path = "";
  for (const segment of segments) {
    if (plainSegment.test(segment)) path += path === "" ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
