/**
 * Local stand-ins for the internet hosts some test suites reach. The official harness's
 * containers are online, so a requests test that fetches `http://httpbin.org/get` passes there;
 * ours run with networking off (a test suite must never reach the network, nor private addresses
 * from this machine). A stand-in runs inside the test container's own network namespace, its
 * host names mapped to the loopback address, so those tests behave as they do officially while
 * nothing leaves the container: any other host still cannot be resolved or reached.
 *
 * HTTPS is served too, with a certificate made in the container when the service starts and
 * added to the system's trust store (Debian's certifi reads that store); the service's
 * environment points requests and OpenSSL at the store as well, for versions that ship their
 * own CA bundle.
 */
import type Docker from "dockerode";
import { runScript } from "./container-exec.js";

/** The services a spec may ask for. */
export type LocalServiceName = "httpbin" | "tarpit";

interface LocalService {
  /** Host names mapped to 127.0.0.1 in the container's /etc/hosts. */
  hosts: readonly string[];
  /** Debian packages that provide the service, added to the environment image. */
  packages: readonly string[];
  /** Environment variables of the test container. */
  env: Readonly<Record<string, string>>;
  /** Capabilities the test container needs (only ever over its own, offline, network namespace). */
  capabilities?: readonly string[];
  /** A bash command (run as root) that starts the service in the background and waits until it answers. */
  start: string;
}

/**
 * httpbin from Debian's python3-httpbin, served by Werkzeug on ports 80 and 443 (with a
 * certificate for its host names, made by openssl and added to the system's CA bundle). The
 * start command polls /get on both for up to 45 s (a loaded machine starts Python slowly), then
 * fails with the servers' log.
 */
const HTTPBIN_SERVER = (port: number, tls: boolean) =>
  [
    "import httpbin",
    "from werkzeug.serving import run_simple, WSGIRequestHandler",
    // HTTP/1.1 with keep-alive, and the header saying so (close when the client asked to close), as
    // httpbin.org's own front end answers (requests' tests check both); only on responses of known
    // length, which the server keeps open.
    "WSGIRequestHandler.protocol_version = 'HTTP/1.1'",
    "def app(environ, start_response):",
    "    def start(status, headers, exc_info=None):",
    "        names = [name.lower() for name, _ in headers]",
    "        if 'content-length' in names and 'connection' not in names:",
    "            wanted = environ.get('HTTP_CONNECTION', '').lower()",
    "            headers = list(headers) + [('Connection', 'close' if wanted == 'close' else 'keep-alive')]",
    "        return start_response(status, headers, exc_info)",
    "    return httpbin.app(environ, start)",
    `run_simple('127.0.0.1', ${port}, app, threaded=True${tls ? ", ssl_context=('/etc/ssl/httpbin-standin.crt', '/etc/ssl/httpbin-standin.key')" : ""})`,
  ].join("\n");

const TRUST_STORE = "/etc/ssl/certs/ca-certificates.crt";

/** A start command's limit: above the 45 s its polling allows, so its own message (and the server's log) is what is reported. */
const START_TIMEOUT_MS = 90_000;

const LOCAL_SERVICES: Readonly<Record<LocalServiceName, LocalService>> = {
  httpbin: {
    // www.google.co.uk: the off-host page requests' test_auth_is_stripped_on_redirect_off_host is
    // redirected to (httpbin's index page answers there, as any page would); other google hosts stay unresolved.
    hosts: ["httpbin.org", "www.httpbin.org", "www.google.co.uk"],
    // openssl, for the certificate, comes with ca-certificates in every environment.
    packages: ["python3-httpbin"],
    env: { REQUESTS_CA_BUNDLE: TRUST_STORE, SSL_CERT_FILE: TRUST_STORE },
    start: [
      "set -e",
      "openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=httpbin.org -addext 'subjectAltName=DNS:httpbin.org,DNS:www.httpbin.org'" +
        " -keyout /etc/ssl/httpbin-standin.key -out /etc/ssl/httpbin-standin.crt 2>/dev/null",
      // Appended to the bundle itself: update-ca-certificates rehashes every certificate (seconds).
      `cat /etc/ssl/httpbin-standin.crt >> ${TRUST_STORE}`,
      `nohup /usr/bin/python3 -c "${HTTPBIN_SERVER(80, false)}" > /tmp/httpbin.log 2>&1 &`,
      `nohup /usr/bin/python3 -c "${HTTPBIN_SERVER(443, true)}" >> /tmp/httpbin.log 2>&1 &`,
      "for _ in $(seq 1 150); do",
      "  if /usr/bin/python3 -c \"import urllib.request as u; u.urlopen('http://httpbin.org/get', timeout=2); u.urlopen('https://httpbin.org/get', timeout=2)\" 2>/dev/null; then exit 0; fi",
      "  sleep 0.3",
      "done",
      "echo 'the local httpbin did not answer within 45 s; its log:'; cat /tmp/httpbin.log; exit 1",
    ].join("\n"),
  },
  /**
   * Private addresses time out instead of failing at once, as they do behind the official
   * containers' network (requests' timeout tests connect to 10.255.255.1 and expect a connect
   * timeout). The private ranges are routed to the loopback device, which drops what is not for
   * a local address: nothing leaves the container, which has no other network device.
   */
  tarpit: {
    hosts: [],
    packages: ["iproute2"],
    env: {},
    capabilities: ["NET_ADMIN"],
    start: ["set -e", ...["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((range) => `ip route add ${range} dev lo`)].join("\n"),
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

/** The capabilities a test container with these services needs. */
export function localServiceCapabilities(names: readonly LocalServiceName[] | undefined): string[] {
  return [...new Set((names ?? []).flatMap((name) => LOCAL_SERVICES[name].capabilities ?? []))];
}

/** The environment variables of a test container with these services. */
export function localServiceEnv(names: readonly LocalServiceName[] | undefined): string[] {
  return (names ?? []).flatMap((name) => Object.entries(LOCAL_SERVICES[name].env).map(([key, value]) => `${key}=${value}`));
}

/**
 * Starts the services in a running container (created with `localServiceHosts`). Returns why one
 * did not come up, or undefined when all answer.
 */
export async function startLocalServices(container: Docker.Container, names: readonly LocalServiceName[] | undefined, signal?: AbortSignal): Promise<string | undefined> {
  for (const name of names ?? []) {
    const result = await runScript(container, LOCAL_SERVICES[name].start, { timeoutMs: START_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    if (result.exitCode !== 0) {
      return `the local stand-in for ${name} did not start (${result.timedOut ? "timed out" : `exit ${result.exitCode}`}): ${result.output.trim().split("\n").slice(-10).join("\n")}`;
    }
  }
  return undefined;
}
