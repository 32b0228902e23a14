import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkParleyServer } from "../src/main/server-check";
import { startParleyApi, type TestParleyApi } from "./parley-api";

// Real HTTP servers on free ports: the real Parley API, and small servers that are not
// Parley (each answers the way some other program on that port might).

const opened: Server[] = [];
async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer(handler);
  opened.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

const appOrigin = "app://parley";
let api: TestParleyApi;
beforeAll(async () => {
  api = await startParleyApi({ CORS_ORIGINS: appOrigin });
});
afterAll(async () => {
  await api?.stop();
  await Promise.all(opened.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("server URL check", () => {
  it("accepts a real Parley server, typed without the scheme", async () => {
    const address = api.url.replace("http://", "");
    expect(await checkParleyServer(`${address}/`)).toEqual({ ok: true, url: api.url });
  });

  it("accepts a Parley server that allows the desktop app's origin", async () => {
    expect(await checkParleyServer(api.url, { appOrigin })).toEqual({ ok: true, url: api.url });
  });

  it("reports a Parley server that does not allow the desktop app's origin", async () => {
    const result = await checkParleyServer(api.url, { appOrigin: "app://not-allowed" });
    expect(result).toMatchObject({ ok: false, problem: "origin-not-allowed" });
    if (!result.ok) expect(result.message).toContain("CORS_ORIGINS");
  });

  it("reports an unreachable server clearly", async () => {
    // A port that was just free: nothing listens there.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((resolve) => gone.close(resolve));
    const result = await checkParleyServer(`http://127.0.0.1:${port}`);
    expect(result).toEqual({
      ok: false,
      problem: "unreachable",
      message: `Could not reach http://127.0.0.1:${port}: the connection was refused. Is the server running and the address right?`,
    });
  });

  it("reports a server that never answers as a timeout", async () => {
    const url = await listen(() => {
      // Holds the request open without answering.
    });
    const result = await checkParleyServer(url, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, problem: "timeout" });
    if (!result.ok) expect(result.message).toMatch(/did not answer/);
  });

  it("reports a web server without /healthz as not Parley", async () => {
    const url = await listen((_req, res) =>
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>"),
    );
    const result = await checkParleyServer(url);
    expect(result).toMatchObject({ ok: false, problem: "not-parley" });
    if (!result.ok) expect(result.message).toContain("/healthz with HTTP 404 (text/html)");
  });

  it("reports a single-page app answering every path with HTML as not Parley", async () => {
    const url = await listen((_req, res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><div id=app>"),
    );
    const result = await checkParleyServer(url);
    expect(result).toMatchObject({ ok: false, problem: "not-parley" });
  });

  it("reports another service with a generic /healthz as not Parley", async () => {
    const url = await listen((req, res) => {
      if (req.url === "/healthz") json(res, 200, { status: "ok" });
      else json(res, 404, { message: "no such route" });
    });
    const result = await checkParleyServer(url);
    expect(result).toMatchObject({ ok: false, problem: "not-parley" });
    if (!result.ok) expect(result.message).toContain("answers /healthz but not Parley's API");
  });

  it("reports a redirect with where it points", async () => {
    const url = await listen((_req, res) =>
      res.writeHead(301, { location: "https://chat.example.com/healthz" }).end(),
    );
    const result = await checkParleyServer(url);
    expect(result).toMatchObject({ ok: false, problem: "not-parley" });
    if (!result.ok)
      expect(result.message).toContain("redirects to https://chat.example.com/healthz");
  });

  it("refuses an oversized answer instead of reading it all", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"status":"ok","pad":"${"x".repeat(200_000)}"}`);
    });
    expect(await checkParleyServer(url)).toMatchObject({ ok: false, problem: "not-parley" });
  });

  it("reports addresses it cannot use before any request", async () => {
    expect(await checkParleyServer("ftp://example.com")).toMatchObject({
      ok: false,
      problem: "invalid-url",
    });
    expect(await checkParleyServer("")).toMatchObject({ ok: false, problem: "invalid-url" });
  });

  it("reports a Parley server whose database is down as unhealthy", async () => {
    const broken = await startParleyApi();
    try {
      await broken.server.deps.db.close();
      const result = await checkParleyServer(broken.url);
      expect(result).toMatchObject({ ok: false, problem: "unhealthy" });
      if (!result.ok) expect(result.message).toContain("is a Parley server but reports an error");
    } finally {
      await broken.stop().catch(() => {});
    }
  });
});
