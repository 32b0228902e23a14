import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, logProcedureError, scrubSecrets } from "../src/logging";
import { callProcedure, startTestServer, type TestServer } from "./ops-helpers";

/** Everything the logger writes, one string per line. */
function captureLogs() {
  const lines: string[] = [];
  return {
    lines,
    destination: {
      write: (chunk: string) => void lines.push(...chunk.split("\n").filter(Boolean)),
    },
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

type AuthPayload = { accessToken: string; refreshToken?: string; user: { id: string } };

const password = "hunter2-but-much-longer-9f3a";
const wrongPassword = "not-my-password-7c1e";
const tooShort = "short7!";
const queryStringSecret = "qs-secret-5d2b8e";

let t: TestServer;
const logs = captureLogs();
const secrets: string[] = [password, wrongPassword, tooShort, queryStringSecret];
const responses: { requestId: string | null; route: string }[] = [];

beforeAll(async () => {
  // The most talkative level: every line the server can write is checked.
  t = await startTestServer(
    {},
    { logger: createLogger({ level: "trace", destination: logs.destination }) },
  );
  const call = async (procedure: string, options: Parameters<typeof callProcedure>[2]) => {
    const result = await callProcedure(t.base, procedure, options);
    responses.push({ requestId: result.headers.get("x-request-id"), route: `/trpc/${procedure}` });
    return result;
  };

  // Registration answers with the refresh token in a cookie.
  const registered = await call("auth.register", {
    input: { username: "log_alice", email: "log_alice@example.com", password },
  });
  expect(registered.status).toBe(200);
  const cookie = registered.headers.get("set-cookie")!.split(";")[0]!;
  secrets.push(cookie.split("=")[1]!, (registered.data as AuthPayload).accessToken);

  const login = await call("auth.login", {
    input: { login: "log_alice", password, refreshTokenInBody: true },
  });
  const session = login.data as AuthPayload;
  secrets.push(session.accessToken, session.refreshToken!);
  const bearer = { authorization: `Bearer ${session.accessToken}` };

  expect((await call("auth.me", { headers: bearer })).status).toBe(200);
  const key = await call("auth.apiKeys.create", { input: { name: "ci" }, headers: bearer });
  const apiKey = (key.data as { secret: string }).secret;
  secrets.push(apiKey);
  expect((await call("auth.me", { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(
    200,
  );
  // The cookie goes back, as a browser would send it.
  const refreshed = await call("auth.refresh", { input: {}, headers: { cookie, origin: t.base } });
  expect(refreshed.status).toBe(200);
  secrets.push(refreshed.headers.get("set-cookie")!.split(";")[0]!.split("=")[1]!);

  // Failures are logged with their (scrubbed) input.
  expect(
    (await call("auth.login", { input: { login: "log_alice", password: wrongPassword } }))
      .errorCode,
  ).toBe("UNAUTHORIZED");
  expect(
    (
      await call("auth.register", {
        input: { username: "log_bob", email: "log_bob@example.com", password: tooShort },
      })
    ).errorCode,
  ).toBe("BAD_REQUEST");
  // A GET call carries its input in the query string.
  expect(
    (
      await call("health.ping", {
        method: "GET",
        input: { token: queryStringSecret },
        headers: { cookie },
      })
    ).status,
  ).toBe(200);
});
afterAll(() => t?.stop());

describe("request logs", () => {
  it("contain no password, token, cookie or API key", () => {
    const output = logs.lines.join("\n");
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(7);
      expect(output.includes(secret), `a secret (${secret.slice(0, 4)}…) reached the log`).toBe(
        false,
      );
    }
  });

  it("write one JSON line per request with its id, method, route, status and duration", () => {
    const requests = logs.records().filter((r) => r.msg === "request");
    for (const { requestId, route } of responses) {
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const line = requests.filter((r) => r.reqId === requestId);
      expect(line).toHaveLength(1);
      expect(line[0]).toMatchObject({
        level: "info",
        service: "parley-api",
        route,
        method: expect.any(String),
      });
      expect(line[0]!.status).toEqual(expect.any(Number));
      expect(line[0]!.durationMs).toEqual(expect.any(Number));
    }
    // No query string, even on a GET call.
    expect(requests.some((r) => String(r.route).includes("?"))).toBe(false);
    expect(requests.find((r) => r.route === "/trpc/auth.me")?.userId).toEqual(expect.any(String));
  });

  it("log failed procedures with their input, secrets replaced", () => {
    const failures = logs.records().filter((r) => r.msg === "procedure error");
    const badRegister = failures.find((r) => r.procedure === "auth.register");
    expect(badRegister).toMatchObject({
      code: "BAD_REQUEST",
      input: { username: "log_bob", email: "log_bob@example.com", password: "[redacted]" },
    });
    expect(failures.find((r) => r.procedure === "auth.login")).toMatchObject({
      code: "UNAUTHORIZED",
      input: { login: "log_alice", password: "[redacted]" },
    });
    // Lines written while serving a request carry its id.
    expect(badRegister?.reqId).toEqual(expect.any(String));
  });
});

describe("request ids", () => {
  it("echo a well-formed incoming x-request-id and replace a malformed one", async () => {
    const kept = await fetch(`${t.base}/healthz`, {
      headers: { "x-request-id": "nginx-4f2a.77:1" },
    });
    expect(kept.headers.get("x-request-id")).toBe("nginx-4f2a.77:1");
    const replaced = await fetch(`${t.base}/healthz`, {
      headers: { "x-request-id": 'evil id" with spaces' },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await fetch(`${t.base}/no/such/page`);
    expect(missing.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("secret scrubbing", () => {
  it("cuts tokens out of free text", () => {
    const scrubbed = scrubSecrets({
      note: "my key is parley_ABCDEFGHIJKLMNOPQRSTUVWX and Bearer abc.def-ghi_jkl",
      jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    });
    const text = JSON.stringify(scrubbed);
    for (const secret of ["parley_ABCDEFGH", "abc.def-ghi_jkl", "eyJhbGciOiJIUzI1NiJ9"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("redacts what a procedure's schema marks sensitive, whatever the field is called", () => {
    const logs = captureLogs();
    const logger = createLogger({ level: "debug", destination: logs.destination });
    const fail = (path: string, input: unknown) =>
      logProcedureError(logger, {
        error: { code: "BAD_REQUEST", message: "no" },
        path,
        type: "mutation",
        input,
      });
    fail("user.changePassword", { current: "cur-secret-1", next: "next-secret-2" });
    fail("auth.twoFactor.verify", { challenge: "chal-secret-3", recoveryCode: "rec-secret-4" });
    fail("twoFactor.disable", { password: "pw-secret-5", code: "246810" });
    fail("auth.refresh", { refreshToken: "refresh-secret-6" });
    fail("no.such.procedure", { anything: "unknown-secret-7" });
    const output = logs.lines.join("\n");
    for (const secret of ["secret-1", "secret-2", "secret-3", "secret-4", "secret-5", "246810"])
      expect(output).not.toContain(secret);
    expect(output).not.toContain("secret-6");
    expect(output).not.toContain("secret-7");
    expect(logs.records()[0]).toMatchObject({
      input: { current: "[redacted]", next: "[redacted]" },
    });
  });

  it("bounds what a huge input can put in a line", () => {
    const scrubbed = scrubSecrets({
      content: "x".repeat(100_000),
      items: Array.from({ length: 500 }, (_, i) => i),
    });
    expect(JSON.stringify(scrubbed).length).toBeLessThan(1_000);
  });

  it("redacts credential fields and headers logged directly, and errors keep their input scrubbed", () => {
    const logs = captureLogs();
    const logger = createLogger({ level: "debug", destination: logs.destination });
    logger.info(
      {
        password: "p-1",
        user: { token: "t-1" },
        headers: { authorization: "Bearer t-2", cookie: "c=t-3" },
      },
      "x",
    );
    logProcedureError(logger, {
      error: { code: "INTERNAL_SERVER_ERROR", message: "boom", cause: new Error("boom") },
      path: "auth.login",
      type: "mutation",
      input: { login: "someone", password: "p-4" },
    });
    const output = logs.lines.join("\n");
    for (const secret of ["p-1", "t-1", "t-2", "t-3", "p-4"]) expect(output).not.toContain(secret);
    expect(logs.records()[1]).toMatchObject({
      level: "error",
      procedure: "auth.login",
      err: { message: "boom" },
    });
  });
});
