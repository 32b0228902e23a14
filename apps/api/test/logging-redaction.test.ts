import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logging";
import { callProcedure, startTestServer, type TestServer } from "./ops-helpers";

/**
 * At LOG_LEVEL=debug every refused call is logged with its input. Fields named anything
 * (`current`, `next`, `code`) must come out redacted because their schema says they are
 * secret, not because their name looks like one.
 */
const lines: string[] = [];
const destination = { write: (chunk: string) => void lines.push(...chunk.split("\n")) };
const records = () =>
  lines.filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

const password = "first-password-8d1c7e";
const wrongCurrent = "wrong-current-4b9a2f";
const nextPassword = "next-password-6e3d0a";
const tooShortNext = "tiny7!x";
const recoveryGuess = "guess-recovery-1f8e";
const totpGuess = "135792";

let t: TestServer;
let apiKey = "";
let accessToken = "";

beforeAll(async () => {
  t = await startTestServer({}, { logger: createLogger({ level: "debug", destination }) });
  const registered = await callProcedure(t.base, "auth.register", {
    input: {
      username: "redact_carol",
      email: "redact_carol@example.com",
      password,
      refreshTokenInBody: true,
    },
  });
  accessToken = (registered.data as { accessToken: string }).accessToken;
  const bearer = { authorization: `Bearer ${accessToken}` };

  // A failed password change: the current password is wrong, then the new one too short.
  expect(
    (
      await callProcedure(t.base, "user.changePassword", {
        input: { current: wrongCurrent, next: nextPassword },
        headers: bearer,
      })
    ).errorCode,
  ).toBe("BAD_REQUEST");
  expect(
    (
      await callProcedure(t.base, "user.changePassword", {
        input: { current: password, next: tooShortNext },
        headers: bearer,
      })
    ).errorCode,
  ).toBe("BAD_REQUEST");

  // A wrong TOTP code while enrolling, and a recovery code guess.
  await callProcedure(t.base, "twoFactor.begin", { input: null, headers: bearer });
  expect(
    (
      await callProcedure(t.base, "twoFactor.confirm", {
        input: { code: totpGuess },
        headers: bearer,
      })
    ).status,
  ).toBeGreaterThanOrEqual(400);
  expect(
    (
      await callProcedure(t.base, "twoFactor.regenerateRecoveryCodes", {
        input: { recoveryCode: recoveryGuess },
        headers: bearer,
      })
    ).status,
  ).toBeGreaterThanOrEqual(400);

  expect(
    (
      await callProcedure(t.base, "auth.login", {
        input: { login: "redact_carol", password: wrongCurrent },
      })
    ).errorCode,
  ).toBe("UNAUTHORIZED");

  // An API key, then used where keys are refused (changing the account).
  const key = await callProcedure(t.base, "auth.apiKeys.create", {
    input: { name: "redaction" },
    headers: bearer,
  });
  apiKey = (key.data as { secret: string }).secret;
  expect(
    (
      await callProcedure(t.base, "user.changePassword", {
        input: { current: password, next: nextPassword },
        headers: { authorization: `Bearer ${apiKey}` },
      })
    ).errorCode,
  ).toBe("FORBIDDEN");
}, 60_000);
afterAll(() => t?.stop());

describe("logs at LOG_LEVEL=debug", () => {
  it("hold neither password of a failed password change", () => {
    const changes = records().filter(
      (r) => r.msg === "procedure error" && r.procedure === "user.changePassword",
    );
    expect(changes.map((r) => r.code)).toEqual(["BAD_REQUEST", "BAD_REQUEST", "FORBIDDEN"]);
    // Refused before its input was read (an API key may not change the account): none logged.
    expect(changes[2]!.input).toBeUndefined();
    for (const change of changes.slice(0, 2))
      expect(change.input).toEqual({ current: "[redacted]", next: "[redacted]" });
  });

  it("hold no TOTP code, recovery code, API key secret or access token", () => {
    const output = lines.join("\n");
    for (const secret of [
      password,
      wrongCurrent,
      nextPassword,
      tooShortNext,
      recoveryGuess,
      totpGuess,
      apiKey,
      accessToken,
    ]) {
      expect(secret.length).toBeGreaterThanOrEqual(6);
      expect(output.includes(secret), `a secret (${secret.slice(0, 3)}…) reached the log`).toBe(
        false,
      );
    }
    const confirm = records().find((r) => r.procedure === "twoFactor.confirm");
    expect(confirm?.input).toEqual({ code: "[redacted]" });
  });

  it("keep the fields that are not secret, so the line still helps", () => {
    const login = records().find((r) => r.procedure === "auth.login");
    expect(login?.input).toEqual({ login: "redact_carol", password: "[redacted]" });
    const recovery = records().find((r) => r.procedure === "twoFactor.regenerateRecoveryCodes");
    expect(recovery?.input).toEqual({ recoveryCode: "[redacted]" });
  });
});
