/**
 * The environment every sandbox command starts with. It is explicit: nothing of the host's
 * environment (API keys, tokens) is passed on, only these values and what the caller adds.
 */
export function baseSandboxEnvironment(home: string, path: string): Record<string, string> {
  return {
    PATH: path,
    HOME: home,
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TERM: "dumb",
    PAGER: "cat",
    GIT_PAGER: "cat",
    MANPAGER: "cat",
    EDITOR: "false",
    VISUAL: "false",
    GIT_EDITOR: "false",
    GIT_TERMINAL_PROMPT: "0",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    PIP_NO_INPUT: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    DEBIAN_FRONTEND: "noninteractive",
    NO_COLOR: "1",
  };
}

/** PATH inside the Debian-based sandbox images. */
export const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Limits shared by both sandboxes unless the caller sets them. */
export const SANDBOX_DEFAULTS = {
  commandTimeoutMs: 300_000,
  outputLimitBytes: 64 * 1024,
} as const;
