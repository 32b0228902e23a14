import { createHmac } from "node:crypto";
import { base64url, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  codeOf,
  createAuthTestContext,
  JWT_SECRET,
  type AuthTestContext,
  type Registered,
} from "./support";

const key = new TextEncoder().encode(JWT_SECRET);

/** A token like the server's, with one thing changed. */
async function forge(
  user: Registered,
  sessionId: string,
  change: {
    alg?: string;
    iss?: string;
    aud?: string | string[];
    exp?: number;
    nbf?: number;
    iat?: false;
    secret?: Uint8Array;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sid: sessionId, role: user.role })
    .setProtectedHeader({ alg: change.alg ?? "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(change.iss ?? "parley")
    .setAudience(change.aud ?? "parley-api")
    .setExpirationTime(change.exp ?? now + 600);
  if (change.iat !== false) jwt.setIssuedAt(now - 60);
  if (change.nbf !== undefined) jwt.setNotBefore(change.nbf);
  return jwt.sign(change.secret ?? key);
}

function withPayload(token: string, patch: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<
    string,
    unknown
  >;
  return [header, base64url.encode(JSON.stringify({ ...claims, ...patch })), signature].join(".");
}

describe("access tokens", () => {
  let c: AuthTestContext;
  let user: Registered;
  let sessionId: string;
  beforeAll(async () => {
    c = await createAuthTestContext();
    await c.register("jwt_admin");
    user = await c.register("jwt_user");
    sessionId = (await (await c.caller({ token: user.accessToken })).api.auth.me()).sessionId!;
  });
  afterAll(() => c?.cleanup());

  const me = async (token: string) => codeOf((await c.caller({ token })).api.auth.me());

  it("a correctly forged control token is accepted (so the refusals below are about the change)", async () => {
    expect(await me(await forge(user, sessionId))).toBe("OK");
  });

  it("refuses alg: none", async () => {
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const valid = await forge(user, sessionId);
    const unsigned = `${header}.${valid.split(".")[1]}.`;
    expect(await me(unsigned)).toBe("UNAUTHORIZED");
  });

  it.each(["HS384", "HS512"])(
    "refuses another algorithm (%s) even with the right secret",
    async (alg) => {
      expect(await me(await forge(user, sessionId, { alg }))).toBe("UNAUTHORIZED");
    },
  );

  it("refuses a wrong audience", async () => {
    expect(await me(await forge(user, sessionId, { aud: "someone-else" }))).toBe("UNAUTHORIZED");
  });

  it("refuses a wrong issuer", async () => {
    expect(await me(await forge(user, sessionId, { iss: "evil" }))).toBe("UNAUTHORIZED");
  });

  it("refuses an expired token", async () => {
    expect(
      await me(await forge(user, sessionId, { exp: Math.floor(Date.now() / 1000) - 120 })),
    ).toBe("UNAUTHORIZED");
  });

  it("accepts an audience list naming the API, refuses one that does not", async () => {
    expect(await me(await forge(user, sessionId, { aud: ["other", "parley-api"] }))).toBe("OK");
    expect(await me(await forge(user, sessionId, { aud: ["other", "evil"] }))).toBe("UNAUTHORIZED");
  });

  it("refuses a token not valid yet (nbf in the future), accepts one whose nbf has passed", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await me(await forge(user, sessionId, { nbf: now + 120 }))).toBe("UNAUTHORIZED");
    expect(await me(await forge(user, sessionId, { nbf: now - 120 }))).toBe("OK");
  });

  it("refuses a token without iat", async () => {
    expect(await me(await forge(user, sessionId, { iat: false }))).toBe("UNAUTHORIZED");
  });

  it("refuses a header that demands an extension (crit)", async () => {
    // jose will not sign an unknown critical header itself: build it by hand.
    const valid = await forge(user, sessionId);
    const [, payload] = valid.split(".");
    const header = base64url.encode(
      JSON.stringify({ alg: "HS256", typ: "JWT", crit: ["x"], x: 1 }),
    );
    const signature = createHmac("sha256", key).update(`${header}.${payload}`).digest("base64url");
    expect(await me(`${header}.${payload}.${signature}`)).toBe("UNAUTHORIZED");
    // The same construction without crit is accepted: the refusal is about crit.
    const plain = base64url.encode(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const plainSignature = createHmac("sha256", key)
      .update(`${plain}.${payload}`)
      .digest("base64url");
    expect(await me(`${plain}.${payload}.${plainSignature}`)).toBe("OK");
  });

  it("refuses a signature with bytes appended or cut", async () => {
    const [header, payload, signature] = user.accessToken.split(".");
    expect(await me(`${header}.${payload}.${signature}AA`)).toBe("UNAUTHORIZED");
    expect(await me(`${header}.${payload}.${signature!.slice(0, -2)}`)).toBe("UNAUTHORIZED");
  });

  it("refuses a token signed with another secret", async () => {
    const other = new TextEncoder().encode("another-secret-that-is-long-enough-9876543210");
    expect(await me(await forge(user, sessionId, { secret: other }))).toBe("UNAUTHORIZED");
  });

  it("refuses a tampered payload (role raised to admin)", async () => {
    expect(await me(withPayload(user.accessToken, { role: "admin" }))).toBe("UNAUTHORIZED");
  });

  it("refuses a tampered payload (another user's id)", async () => {
    const other = await c.register("jwt_other");
    expect(await me(withPayload(user.accessToken, { sub: other.id }))).toBe("UNAUTHORIZED");
  });

  it("refuses a valid signature whose session belongs to someone else", async () => {
    const other = await c.register("jwt_third");
    expect(await me(await forge({ ...other }, sessionId))).toBe("UNAUTHORIZED");
  });

  it("ignores garbage and non-Bearer headers", async () => {
    for (const authorization of [
      "Bearer",
      "Bearer not.a.jwt",
      `Basic ${user.accessToken}`,
      `Bearer ${"x".repeat(5000)}`,
    ]) {
      const { api } = await c.caller({ headers: new Headers({ authorization }) });
      expect(await codeOf(api.auth.me())).toBe("UNAUTHORIZED");
    }
  });
});
