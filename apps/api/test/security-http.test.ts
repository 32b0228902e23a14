import { request } from "node:http";
import { signUp, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANONYMOUS_BODY_LIMIT_BYTES, TRPC_BODY_LIMIT_BYTES, TRPC_MAX_BATCH_SIZE } from "../src/app";
import { callProcedure, startTestServer, type TestServer } from "./ops-helpers";

/**
 * Streams a chunked body of up to `totalBytes` (no Content-Length, so the server cannot
 * refuse by the header alone) and reports how much had been sent when the answer came.
 */
function streamBody(
  url: string,
  headers: Record<string, string>,
  totalBytes: number,
): Promise<{ status: number; body: string; sentWhenAnswered: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
    });
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, sentWhenAnswered });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, "a");
    req.write('{"json":{"content":"');
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end('"}}');
    };
    pump();
  });
}

describe("HTTP hardening of the API server", () => {
  let server: TestServer;
  let proxied: TestServer;
  let alice: SignedIn;

  beforeAll(async () => {
    server = await startTestServer();
    proxied = await startTestServer({ TRUST_PROXY: "1" });
    alice = await signUp(server.base);
  });
  afterAll(async () => {
    await server?.stop();
    await proxied?.stop();
  });

  it("sends X-Content-Type-Options: nosniff on every answer, errors and API calls included", async () => {
    const answers = await Promise.all([
      fetch(`${server.base}/healthz`),
      fetch(`${server.base}/readyz`),
      fetch(`${server.base}/metrics`),
      fetch(`${server.base}/trpc/health.ping`),
      fetch(`${server.base}/trpc/auth.me`),
      fetch(`${server.base}/trpc/no.such.procedure`),
      fetch(`${server.base}/`),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get("x-content-type-options"), answer.url).toBe("nosniff");
    }
  });

  it("sends HSTS only when a trusted proxy says the request was HTTPS", async () => {
    const hsts = async (base: string, proto?: string) =>
      (
        await fetch(`${base}/healthz`, { headers: proto ? { "x-forwarded-proto": proto } : {} })
      ).headers.get("strict-transport-security");
    expect(await hsts(proxied.base, "https")).toBe("max-age=63072000; includeSubDomains");
    expect(await hsts(proxied.base, "http")).toBeNull();
    expect(await hsts(proxied.base)).toBeNull();
    // Without TRUST_PROXY the header is anyone's to forge.
    expect(await hsts(server.base, "https")).toBeNull();
  });

  it("makes the refresh cookie Secure exactly when the request was HTTPS", async () => {
    const account = await signUp(proxied.base);
    const login = async (headers: Record<string, string>) => {
      const result = await callProcedure(proxied.base, "auth.login", {
        input: { login: account.user.username, password: account.password },
        headers,
      });
      expect(result.status).toBe(200);
      return result.headers.get("set-cookie") ?? "";
    };
    // Self-hosted on a LAN address over plain HTTP: the browser must keep the cookie.
    const lan = await login({ host: "192.168.1.20:3000" });
    expect(lan).toMatch(/^parley_refresh=/);
    expect(lan).not.toMatch(/;\s*Secure/i);
    const https = await login({ host: "chat.example.com", "x-forwarded-proto": "https" });
    expect(https).toMatch(/;\s*Secure/);
  });

  it("refuses an oversized signed-in body with 413 before reading it all", async () => {
    const result = await streamBody(
      `${server.base}/trpc/chat.send`,
      { authorization: `Bearer ${alice.accessToken}` },
      64 * 1024 * 1024,
    );
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({
      error: { json: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } },
    });
    // Refused once the limit was crossed, not after 64 MiB were buffered.
    expect(result.sentWhenAnswered).toBeLessThan(TRPC_BODY_LIMIT_BYTES + 16 * 1024 * 1024);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  it("gives callers without a valid credential a much smaller body limit", async () => {
    const body = JSON.stringify({
      json: { login: "x".repeat(ANONYMOUS_BODY_LIMIT_BYTES), password: "p" },
    });
    const credentials: Record<string, string>[] = [
      {},
      { authorization: "Bearer not-a-real-token" },
    ];
    for (const headers of credentials) {
      const anonymous = await fetch(`${server.base}/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      expect(anonymous.status).toBe(413);
    }
    const streamed = await streamBody(`${server.base}/trpc/auth.login`, {}, 32 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.sentWhenAnswered).toBeLessThan(16 * 1024 * 1024);
    // The same body from a signed-in caller is read, and refused by the input schema.
    const signedIn = await fetch(`${server.base}/trpc/chat.conversations.create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice.accessToken}` },
      body: JSON.stringify({ json: { title: "t".repeat(ANONYMOUS_BODY_LIMIT_BYTES) } }),
    });
    expect(signedIn.status).toBe(400);
  });

  it(`caps a tRPC batch at ${TRPC_MAX_BATCH_SIZE} calls`, async () => {
    const batch = (n: number) =>
      fetch(
        `${server.base}/trpc/${Array(n).fill("health.ping").join(",")}?batch=1&input=${encodeURIComponent(
          JSON.stringify({}),
        )}`,
        { headers: { authorization: `Bearer ${alice.accessToken}` } },
      );
    expect((await batch(TRPC_MAX_BATCH_SIZE)).status).toBe(200);
    const refused = await batch(TRPC_MAX_BATCH_SIZE + 1);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Batch call exceeds maximum size");
    // Mutations in a POST body: none of them runs.
    const over = TRPC_MAX_BATCH_SIZE + 1;
    const inputs = Object.fromEntries(Array.from({ length: over }, (_, i) => [i, { json: {} }]));
    const flood = await fetch(
      `${server.base}/trpc/${Array(over).fill("chat.conversations.create").join(",")}?batch=1`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${alice.accessToken}`,
        },
        body: JSON.stringify(inputs),
      },
    );
    expect(flood.status).toBe(400);
    // As many calls as fit in a URL (the review sent 1,500).
    expect((await batch(1_500).catch(() => null))?.status).not.toBe(200);
    const many = await fetch(
      `${server.base}/trpc/${Array(1_000).fill("auth.me").join(",")}?batch=1&input=%7B%7D`,
      { headers: { authorization: `Bearer ${alice.accessToken}` } },
    );
    expect(many.status).toBe(400);
    expect((await alice.client.chat.conversations.list.query()).items).toHaveLength(0);
  });
});
