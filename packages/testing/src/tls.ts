import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { repoRoot } from "./processes";

/** A local CA and a server certificate it signed, made by scripts/certs-dev.sh. */
export interface TestCertificates {
  dir: string;
  /** PEM of the CA, for clients that must trust the server. */
  ca: string;
  caFile: string;
  /** Server certificate followed by the CA. */
  certFile: string;
  keyFile: string;
  remove(): void;
}

/** The same script as `npm run certs:dev`, so the tests exercise what users run. */
export function makeCertificates(
  names: string[] = ["localhost", "127.0.0.1", "::1"],
): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), "parley-certs-"));
  const result = spawnSync(
    "bash",
    [path.join(repoRoot, "scripts", "certs-dev.sh"), "--out", dir, ...names],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (result.status !== 0)
    throw new Error(`certs-dev.sh failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return {
    dir,
    ca: readFileSync(path.join(dir, "ca.pem"), "utf8"),
    caFile: path.join(dir, "ca.pem"),
    certFile: path.join(dir, "fullchain.pem"),
    keyFile: path.join(dir, "privkey.pem"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A fetch that trusts only `ca` (Node's global fetch cannot be given a CA per call) and
 * never follows redirects on its own, so tests see the 301 itself. `localAddress` makes its
 * connections come from another loopback address (127.0.0.0/8), so a load generator's users
 * reach nginx from addresses of their own, as people do, instead of all sharing one IP's
 * rate limits.
 */
export function fetchTrusting(ca: string, options: { localAddress?: string } = {}): typeof fetch {
  const dispatcher = new Agent({
    connect: { ca },
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(
      input as never,
      {
        redirect: "manual",
        ...(init as object),
        dispatcher,
      } as never,
    )) as unknown as typeof fetch;
}
