import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  fetchTrusting,
  freePort,
  makeCertificates,
  portOpen,
  waitFor,
  type TestCertificates,
} from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  findTool,
  missingTool,
  scrape,
  startTestServer,
  type TestServer,
} from "./ops-helpers";

// infra/nginx.conf itself, run by Debian's nginx on loopback in front of real upstreams.
const confPath = fileURLToPath(new URL("../../../infra/nginx.conf", import.meta.url));

interface RunningNginx {
  /** https://localhost:PORT, served with the test's certificate. */
  url: string;
  /** http://localhost:PORT, the plain-HTTP server that only redirects. */
  httpUrl: string;
  httpsPort: number;
  /** fetch that trusts the test's CA. */
  fetch: typeof fetch;
  accessLog: () => string;
  errorLog: () => string;
  stop(): Promise<void>;
}

/**
 * The compose config adapted to loopback: upstream servers, listen ports, the certificate
 * folder, and paths (pid, logs, temp files) in a temp folder. Debian's nginx (1.22) has
 * neither `resolve` in upstreams nor Docker's DNS; every location, header, TLS setting and
 * timeout is kept as written.
 */
async function startNginx(upstreams: string[], certs: TestCertificates): Promise<RunningNginx> {
  const dir = mkdtempSync(path.join(tmpdir(), "parley-nginx-"));
  const port = await freePort();
  const httpsPort = await freePort();
  const original = readFileSync(confPath, "utf8");
  const serverLines = [...original.matchAll(/^(\s*)server api\d+:3000 resolve(.*)$/gm)];
  expect(serverLines).toHaveLength(3);
  const [, indent, params] = serverLines[0]!;
  let conf = original
    .replace(/^\s*server api\d+:3000 resolve.*\n/gm, "")
    .replace(
      /(upstream parley_api \{\n)/,
      `$1${upstreams.map((u) => `${indent}server ${u}${params}`).join("\n")}\n`,
    )
    .replace(/^\s*resolver .*$/m, "")
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`)
    .replace(/listen 443 ssl/, `listen 127.0.0.1:${httpsPort} ssl`)
    .replace(/\/etc\/nginx\/certs\//g, `${certs.dir}/`)
    .replace("https://$host$request_uri", `https://$host:${httpsPort}$request_uri`)
    .replace(/worker_processes auto;/, "daemon off;\nworker_processes 1;")
    .replace(/pid \/tmp\/nginx.pid;/, `pid ${dir}/nginx.pid;`)
    .replace(/\/dev\/stdout/g, `${dir}/access.log`)
    .replace(/\/dev\/stderr/g, `${dir}/error.log`);
  conf = conf.replace(
    /http \{\n/,
    `http {\n${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${dir}/${t};`).join("\n")}\n`,
  );
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const child = spawn(
    findTool("nginx")!,
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let ended = false;
  void exited.then(() => (ended = true));
  await waitFor(`nginx on ${port} and ${httpsPort}`, async () => {
    if (ended) throw new Error(`nginx exited:\n${output}`);
    return (await portOpen(port)) && portOpen(httpsPort);
  });
  return {
    url: `https://localhost:${httpsPort}`,
    httpUrl: `http://localhost:${port}`,
    httpsPort,
    fetch: fetchTrusting(certs.ca),
    accessLog: () => readFileSync(path.join(dir, "access.log"), "utf8"),
    errorLog: () => readFileSync(path.join(dir, "error.log"), "utf8"),
    async stop() {
      if (!ended) {
        child.kill("SIGQUIT");
        const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(force);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An upstream that echoes the request headers it got, and streams events on demand. */
async function startEchoUpstream() {
  let releaseStream: () => void = () => {};
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/trpc/stream")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("data: first\n\n");
      // The second event waits until the test has seen the first one through nginx.
      void new Promise<void>((resolve) => (releaseStream = resolve)).then(() =>
        res.end("data: second\n\n"),
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    release: () => releaseStream(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Resolves with the first chunk of a body, or rejects when none came in `ms`. */
async function firstChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no event through nginx within ${ms} ms: it is buffering the stream`)),
      ms,
    );
  });
  try {
    const { value } = await Promise.race([reader.read(), timeout]);
    return new TextDecoder().decode(value);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(missingTool("nginx", "nginx-light"))(
  "infra/nginx.conf in front of an echoing upstream",
  () => {
    let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
    let nginx: RunningNginx;
    let certs: TestCertificates;
    beforeAll(async () => {
      certs = makeCertificates();
      echo = await startEchoUpstream();
      nginx = await startNginx([echo.address, echo.address, echo.address], certs);
    });
    afterAll(async () => {
      await nginx?.stop();
      await echo?.close();
      certs?.remove();
    });

    const seen = async (url: string, headers: Record<string, string> = {}) =>
      (await (await nginx.fetch(`${nginx.url}${url}`, { headers })).json()) as {
        url: string;
        headers: Record<string, string>;
      };

    it("sets X-Real-IP from the connection, whatever the client claims", async () => {
      const { headers } = await seen("/trpc/echo", {
        "x-real-ip": "203.0.113.9",
        "x-forwarded-for": "198.51.100.7",
      });
      expect(headers["x-real-ip"]).toBe("127.0.0.1");
      expect(headers["x-forwarded-for"]).toBe("198.51.100.7, 127.0.0.1");
      expect(headers.host).toBe(new URL(nginx.url).host);
      // The app sends HSTS and Secure cookies only when its trusted proxy says HTTPS.
      expect(headers["x-forwarded-proto"]).toBe("https");
    });

    it("redirects plain HTTP to HTTPS with a 301, keeping the path and query", async () => {
      const response = await nginx.fetch(`${nginx.httpUrl}/c/123?tab=2`);
      expect(response.status).toBe(301);
      expect(response.headers.get("location")).toBe(`${nginx.url}/c/123?tab=2`);
      // Nothing reaches the app over plain HTTP.
      expect((await nginx.fetch(`${nginx.httpUrl}/trpc/echo`)).status).toBe(301);
    });

    it("sends one HSTS header on every HTTPS answer, errors included", async () => {
      for (const url of ["/echo", "/metrics"]) {
        const response = await nginx.fetch(`${nginx.url}${url}`);
        expect(response.headers.get("strict-transport-security")).toBe(
          "max-age=63072000; includeSubDomains",
        );
      }
      expect(
        (await nginx.fetch(`${nginx.httpUrl}/echo`)).headers.get("strict-transport-security"),
      ).toBeNull();
    });

    const handshake = (...args: string[]) =>
      spawnSync(
        "openssl",
        [
          "s_client",
          "-connect",
          `127.0.0.1:${nginx.httpsPort}`,
          "-servername",
          "localhost",
          "-CAfile",
          certs.caFile,
          ...args,
        ],
        { input: "", encoding: "utf8", timeout: 20_000 },
      );

    it.skipIf(missingTool("openssl", "openssl"))(
      "speaks TLS 1.2 and 1.3 only, with forward-secret AEAD ciphers",
      () => {
        const tls13 = handshake("-tls1_3");
        expect(tls13.stdout).toMatch(/Protocol\s*:\s*TLSv1\.3|New, TLSv1\.3/);
        expect(tls13.stdout).toContain("Verify return code: 0 (ok)");
        const tls12 = handshake("-tls1_2");
        expect(tls12.stdout).toMatch(
          /Cipher\s*:\s*ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)/,
        );
        // OpenSSL 3 itself refuses TLS 1.1 at its default security level; level 0 lets the
        // client offer it, so the refusal seen is nginx's.
        const tls11 = handshake("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        expect(tls11.status).not.toBe(0);
        // Alert 70: the server answered the TLS 1.1 hello with "protocol version".
        expect(tls11.stderr).toMatch(/alert protocol version/i);
        const cbc = handshake("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA");
        expect(cbc.status).not.toBe(0);
      },
    );

    it("passes a request id on: the caller's, or one of its own", async () => {
      expect((await seen("/echo", { "x-request-id": "client-id-1" })).headers["x-request-id"]).toBe(
        "client-id-1",
      );
      expect((await seen("/echo")).headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    });

    it("passes each event of a /trpc stream on at once", async () => {
      const response = await nginx.fetch(`${nginx.url}/trpc/stream?input=%7B%7D`);
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      const reader = response.body!.getReader();
      expect(await firstChunk(reader, 5_000)).toContain("data: first");
      echo.release();
      let rest = "";
      for (let r = await reader.read(); !r.done; r = await reader.read())
        rest += new TextDecoder().decode(r.value);
      expect(rest).toContain("data: second");
    });

    it("hides /metrics and answers its own health check", async () => {
      expect((await nginx.fetch(`${nginx.url}/metrics`)).status).toBe(404);
      expect(await (await nginx.fetch(`${nginx.httpUrl}/nginx-healthz`)).text()).toBe("ok\n");
    });

    it("logs JSON lines with the path but never the query string", async () => {
      await nginx.fetch(
        `${nginx.url}/trpc/echo?input=${encodeURIComponent('{"token":"qs-secret-in-url"}')}`,
      );
      await waitFor("the access log line", () =>
        nginx.accessLog().includes('"route":"/trpc/echo"'),
      );
      const lines = nginx
        .accessLog()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.at(-1)).toMatchObject({ method: "GET", route: "/trpc/echo", status: 200 });
      expect(nginx.accessLog()).not.toContain("qs-secret-in-url");
    });
  },
);

describe.skipIf(missingTool("nginx", "nginx-light"))(
  "infra/nginx.conf in front of three API replicas",
  () => {
    const replicas: TestServer[] = [];
    let nginx: RunningNginx;
    let certs: TestCertificates;
    beforeAll(async () => {
      certs = makeCertificates();
      for (let i = 0; i < 3; i++) replicas.push(await startTestServer({ TRUST_PROXY: "1" }));
      nginx = await startNginx(
        replicas.map((r) => new URL(r.base).host),
        certs,
      );
    });
    afterAll(async () => {
      await nginx?.stop();
      for (const replica of replicas) await replica.stop();
      certs?.remove();
    });

    it("spreads calls over the replicas, and each replica's metrics count its own", async () => {
      for (let i = 0; i < 30; i++) {
        const result = await callProcedure(nginx.url, "health.ping", { fetch: nginx.fetch });
        expect(result.status).toBe(200);
        expect(result.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
      }
      const perReplica = await Promise.all(
        replicas.map(async (r) => {
          const { samples } = await scrape(r.base);
          return (
            samples.find(
              (s) => s.name === "parley_trpc_calls_total" && s.labels.procedure === "health.ping",
            )?.value ?? 0
          );
        }),
      );
      expect(perReplica.reduce((a, b) => a + b, 0)).toBe(30);
      expect(perReplica.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    });

    it("keeps /metrics private while each replica serves it to Prometheus", async () => {
      expect((await nginx.fetch(`${nginx.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${replicas[0]!.base}/metrics`)).status).toBe(200);
      expect((await nginx.fetch(`${nginx.url}/readyz`)).status).toBe(200);
    });
  },
);
