/**
 * Local stand-ins for the internet hosts some test suites reach. The official harness's
 * containers are online, so a requests test that fetches `http://httpbin.org/get` passes there;
 * ours run with networking off (a test suite must never reach the network, nor private addresses
 * from this machine). A stand-in runs inside the test container's own network namespace, its
 * host names mapped to the loopback address, so those tests behave as they do officially while
 * nothing leaves the container: any other host still cannot be resolved or reached.
 *
 * Only plain HTTP is served: a test that needs https://httpbin.org still fails (it would need a
 * certificate the test's client trusts).
 */
import type Docker from "dockerode";
import { runScript } from "./container-exec.js";

/** The services a spec may ask for. */
export type LocalServiceName = "httpbin";

interface LocalService {
  /** Host names mapped to 127.0.0.1 in the container's /etc/hosts. */
  hosts: readonly string[];
  /** Debian packages that provide the service, added to the environment image. */
  packages: readonly string[];
  /** A bash command (run as root) that starts the service in the background and waits until it answers. */
  start: string;
}

/**
 * httpbin from Debian's python3-httpbin, served by Werkzeug on port 80. The start command polls
 * /get for up to 20 s, then fails with the server's log.
 */
const HTTPBIN_SERVER = [
  "import sys, httpbin",
  "from werkzeug.serving import run_simple",
  "run_simple('127.0.0.1', 80, httpbin.app, threaded=True)",
].join("\n");

const LOCAL_SERVICES: Readonly<Record<LocalServiceName, LocalService>> = {
  httpbin: {
    hosts: ["httpbin.org", "www.httpbin.org"],
    packages: ["python3-httpbin"],
    start: [
      `nohup /usr/bin/python3 -c "${HTTPBIN_SERVER}" > /tmp/httpbin.log 2>&1 &`,
      "for _ in $(seq 1 100); do",
      "  if /usr/bin/python3 -c \"import urllib.request; urllib.request.urlopen('http://httpbin.org/get', timeout=2)\" 2>/dev/null; then exit 0; fi",
      "  sleep 0.2",
      "done",
      "echo 'the local httpbin did not answer within 20 s; its log:'; cat /tmp/httpbin.log; exit 1",
    ].join("\n"),
  },
};

/** The apt packages the services need. */
export function localServicePackages(names: readonly LocalServiceName[] | undefined): string[] {
  return (names ?? []).flatMap((name) => LOCAL_SERVICES[name].packages);
}

/** Docker's ExtraHosts entries that send the services' host names to the container itself. */
export function localServiceHosts(names: readonly LocalServiceName[] | undefined): string[] {
  return (names ?? []).flatMap((name) => LOCAL_SERVICES[name].hosts.map((host) => `${host}:127.0.0.1`));
}

/**
 * Starts the services in a running container (created with `localServiceHosts`). Returns why one
 * did not come up, or undefined when all answer.
 */
export async function startLocalServices(container: Docker.Container, names: readonly LocalServiceName[] | undefined, signal?: AbortSignal): Promise<string | undefined> {
  for (const name of names ?? []) {
    const result = await runScript(container, LOCAL_SERVICES[name].start, { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    if (result.exitCode !== 0) {
      return `the local stand-in for ${name} did not start (${result.timedOut ? "timed out" : `exit ${result.exitCode}`}): ${result.output.trim().split("\n").slice(-10).join("\n")}`;
    }
  }
  return undefined;
}
