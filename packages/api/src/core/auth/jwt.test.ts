import { afterEach, describe, expect, it, vi } from "vitest";
import { createAuthConfig } from "./config";
import { signAccessToken, verifyAccessToken } from "./jwt";

const claims = { userId: "u-1", sessionId: "s-1", role: "user" as const };

describe("access token verification (remembered verified tokens)", () => {
  afterEach(() => vi.useRealTimers());

  it("answers a token verified before until it expires, then refuses it", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z"), toFake: ["Date"] });
    const config = createAuthConfig({ jwtSecret: "x".repeat(40), accessTokenTtlSeconds: 60 });
    const { token } = await signAccessToken(config, claims);
    expect(verifyAccessToken(config, token)).toEqual(claims);
    // Remembered now: the second answer must still check the expiry.
    vi.setSystemTime(new Date("2026-12-01T12:00:59Z"));
    expect(verifyAccessToken(config, token)).toEqual(claims);
    vi.setSystemTime(new Date("2026-12-01T12:01:00Z"));
    expect(verifyAccessToken(config, token)).toBeNull();
    expect(verifyAccessToken(config, token)).toBeNull();
  });

  it("never answers for another secret: what was verified under one config is not under another", async () => {
    const config = createAuthConfig({ jwtSecret: "a".repeat(40) });
    const other = createAuthConfig({ jwtSecret: "b".repeat(40) });
    const { token } = await signAccessToken(config, claims);
    expect(verifyAccessToken(config, token)).toEqual(claims);
    expect(verifyAccessToken(other, token)).toBeNull();
  });

  it("remembers only verified tokens: a forged one stays refused", async () => {
    const config = createAuthConfig({ jwtSecret: "c".repeat(40) });
    const { token } = await signAccessToken(config, claims);
    const [header, payload, signature] = token.split(".");
    const forged = `${header}.${payload}.${signature!.slice(0, -3)}AAA`;
    expect(verifyAccessToken(config, forged)).toBeNull();
    expect(verifyAccessToken(config, forged)).toBeNull();
    expect(verifyAccessToken(config, token)).toEqual(claims);
  });
});
