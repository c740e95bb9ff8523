const defaultOllamaPort = "11434";

/**
 * Turns an OLLAMA_HOST value into a base URL the way Ollama itself reads it: "0.0.0.0",
 * "127.0.0.1:11434" and "[::1]" get "http://" and, without a port, port 11434; a value that
 * already has a scheme is kept as written (minus a trailing slash).
 */
export function normalizeOllamaHost(value: string): string {
  const trimmed = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed.replace(/\/+$/, "");

  const slash = trimmed.indexOf("/");
  const hostPort = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const pathPart = slash === -1 ? "" : trimmed.slice(slash).replace(/\/+$/, "");
  const { host, port } = splitHostPort(hostPort);
  return `http://${host === "" ? "127.0.0.1" : host}:${port === "" ? defaultOllamaPort : port}${pathPart}`;
}

function splitHostPort(hostPort: string): { host: string; port: string } {
  const bracketed = /^(\[[^\]]*\])(?::(\d*))?$/.exec(hostPort);
  if (bracketed) return { host: bracketed[1] ?? "", port: bracketed[2] ?? "" };
  const colons = hostPort.split(":").length - 1;
  if (colons > 1) return { host: `[${hostPort}]`, port: "" };
  const [host = "", port = ""] = hostPort.split(":");
  return { host, port };
}
