import {
  createParleyClient,
  signIn,
  signUp,
  TRPCClientError,
  type ParleyClient,
  type SignedIn,
} from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, codeOf, startTestServer, type TestServer } from "./ops-helpers";
import { backendName } from "@parley/testing";

const where = backendName();

/** Every response body this file receives, to scan for secrets at the end. */
const responses: string[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  responses.push(await response.clone().text());
  return response;
};

const rec = { fetch: recordingFetch };

/** The TRPCClientError a call fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<TRPCClientError<never>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCClientError))
    throw new Error(`expected a TRPCClientError, got ${String(error)}`);
  return error as TRPCClientError<never>;
}

describe(`auth and user procedures over HTTP through @parley/client (${where})`, () => {
  let t: TestServer;
  let url: string;
  let admin: SignedIn;
  const apiKeySecrets: string[] = [];
  const client = (token?: string, extra: { apiKey?: string; ip?: string } = {}): ParleyClient =>
    createParleyClient({
      url,
      fetch: recordingFetch,
      ...(token ? { token } : {}),
      ...(extra.apiKey ? { apiKey: extra.apiKey } : {}),
      ...(extra.ip ? { headers: { "x-real-ip": extra.ip } } : {}),
    });

  beforeAll(async () => {
    t = await startTestServer({ TRUST_PROXY: "1", ADMIN_EMAIL: "chief@example.com" });
    url = t.base;
    admin = await signUp(url, { username: "first_admin" }, rec);
  });
  afterAll(() => t?.stop());

  it("register and login return the user and tokens; me answers with the profile", async () => {
    expect(admin.user.role).toBe("admin");
    const chief = await signUp(url, { username: "chief", email: "chief@example.com" }, rec);
    expect(chief.user.role).toBe("admin");
    const plain = await signUp(url, { username: "plain_user" }, rec);
    expect(plain.user.role).toBe("user");
    const again = await signIn(url, { login: "plain_user", password: plain.password }, rec);
    const me = await again.client.auth.me.query();
    expect(me).toMatchObject({
      id: plain.user.id,
      username: "plain_user",
      email: "plain_user@example.test",
      via: "session",
    });
    expect(me.createdAt).toBeInstanceOf(Date);
  });

  it("validation errors name the field in data.zodError.fieldErrors", async () => {
    const error = await failure(
      client().auth.register.mutate({ username: "x", email: "nope", password: "short" }),
    );
    const data = error.data as unknown as {
      code: string;
      zodError: { fieldErrors: Record<string, string[]> };
    };
    expect(data.code).toBe("BAD_REQUEST");
    expect(Object.keys(data.zodError.fieldErrors).sort()).toEqual([
      "email",
      "password",
      "username",
    ]);
    expect(data.zodError.fieldErrors.password).toEqual(["Password must be at least 8 characters"]);
  });

  it("a duplicate email is 409 CONFLICT with data.details.field", async () => {
    await signUp(url, { username: "dup_one", email: "dup@example.com" }, rec);
    const error = await failure(
      client().auth.register.mutate({
        username: "dup_two",
        email: "DUP@example.com",
        password: "password-123",
      }),
    );
    expect(error.data).toMatchObject({
      code: "CONFLICT",
      httpStatus: 409,
      details: { field: "email" },
    });
    expect(error.message).toBe("email already in use");
  });

  it("refresh (token in the body) rotates; a replayed token revokes the session", async () => {
    const user = await signUp(url, {}, rec);
    const refreshed = await client().auth.refresh.mutate({ refreshToken: user.refreshToken });
    expect(refreshed.refreshToken).toBeDefined();
    expect(await codeOf(client(refreshed.accessToken).auth.me.query())).toBe("OK");
    expect(await codeOf(client().auth.refresh.mutate({ refreshToken: user.refreshToken }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await codeOf(client(refreshed.accessToken).auth.me.query())).toBe("UNAUTHORIZED");
  });

  it("the web flow: login sets the cookie, refresh reads it (Origin checked), logout clears it", async () => {
    const user = await signUp(url, {}, rec);
    const login = await callProcedure(url, "auth.login", {
      input: { login: user.user.username, password: user.password },
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie")!;
    expect(setCookie).toMatch(
      /^parley_refresh=[a-z2-7]{52}\.[0-9a-f]{32}; Path=\/trpc; Max-Age=2592000; HttpOnly; SameSite=Lax$/,
    );
    expect(login.data).not.toHaveProperty("refreshToken");
    const cookie = setCookie.split(";")[0]!;

    const foreign = await callProcedure(url, "auth.refresh", {
      input: {},
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    const ownOrigin = await callProcedure(url, "auth.refresh", {
      input: {},
      headers: { cookie, origin: url },
    });
    expect(ownOrigin.status).toBe(200);
    const rotatedCookie = ownOrigin.headers.get("set-cookie")!.split(";")[0]!;
    expect(rotatedCookie).not.toBe(cookie);
    const accessToken = (ownOrigin.data as { accessToken: string }).accessToken;

    const logout = await callProcedure(url, "auth.logout", {
      input: {},
      headers: { cookie: rotatedCookie, origin: url },
    });
    expect(logout.status).toBe(200);
    expect(logout.headers.get("set-cookie")).toMatch(/^parley_refresh=; Path=\/trpc; Max-Age=0/);
    expect(await codeOf(client(accessToken).auth.me.query())).toBe("UNAUTHORIZED");
  });

  it("logout, session revoke, password change and disable each make the old access token fail on the next call", async () => {
    const loggedOut = await signUp(url, {}, rec);
    await loggedOut.client.auth.logout.mutate();
    expect(await codeOf(loggedOut.client.auth.me.query())).toBe("UNAUTHORIZED");

    const revoked = await signUp(url, {}, rec);
    const second = await signIn(
      url,
      { login: revoked.user.username, password: revoked.password },
      rec,
    );
    const [other] = (await revoked.client.auth.sessions.list.query()).filter((s) => !s.current);
    await revoked.client.auth.sessions.revoke.mutate({ id: other!.id });
    expect(await codeOf(second.client.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(revoked.client.auth.me.query())).toBe("OK");

    const changer = await signUp(url, {}, rec);
    const elsewhere = await signIn(
      url,
      { login: changer.user.username, password: changer.password },
      rec,
    );
    await changer.client.user.changePassword.mutate({
      current: changer.password,
      next: "a-new-password",
    });
    expect(await codeOf(elsewhere.client.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(changer.client.auth.me.query())).toBe("OK");

    const disabled = await signUp(url, {}, rec);
    await admin.client.user.admin.setDisabled.mutate({ userId: disabled.user.id, disabled: true });
    expect(await codeOf(disabled.client.auth.me.query())).toBe("UNAUTHORIZED");
  });

  it("API keys: create shows the secret once, list never does, the key authenticates until revoked", async () => {
    const owner = await signUp(url, {}, rec);
    const ownerClient = client(owner.accessToken);
    const created = await ownerClient.auth.apiKeys.create.mutate({ name: "nightly export" });
    apiKeySecrets.push(created.secret);
    expect(created.secret.startsWith(created.prefix)).toBe(true);
    const viaKey = client(undefined, { apiKey: created.secret });
    expect(await viaKey.auth.me.query()).toMatchObject({ id: owner.user.id, via: "apiKey" });
    expect((await ownerClient.auth.apiKeys.list.query()).map((k) => k.id)).toEqual([created.id]);
    await ownerClient.auth.apiKeys.revoke.mutate({ id: created.id });
    expect(await codeOf(viaKey.auth.me.query())).toBe("UNAUTHORIZED");
  });

  it("user.update, user.delete, and the admin procedures", async () => {
    const user = await signUp(url, {}, rec);
    const own = client(user.accessToken);
    expect(await own.user.update.mutate({ username: `${user.user.username}_2` })).toMatchObject({
      username: `${user.user.username}_2`,
    });

    const adminClient = client(admin.accessToken);
    const page = await adminClient.user.admin.list.query({ query: `${user.user.username}_2` });
    expect(page.items.map((u) => u.id)).toEqual([user.user.id]);
    expect(
      (await adminClient.user.admin.setRole.mutate({ userId: user.user.id, role: "admin" })).role,
    ).toBe("admin");
    expect(await codeOf(own.user.admin.list.query())).toBe("OK");
    await adminClient.user.admin.setRole.mutate({ userId: user.user.id, role: "user" });
    expect(await codeOf(own.user.admin.list.query())).toBe("FORBIDDEN");
    const disabled = await adminClient.user.admin.setDisabled.mutate({
      userId: user.user.id,
      disabled: true,
    });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    await adminClient.user.admin.setDisabled.mutate({ userId: user.user.id, disabled: false });

    const back = await signIn(url, { login: user.user.email, password: user.password }, rec);
    expect(await codeOf(back.client.user.delete.mutate({ password: "wrong-password" }))).toBe(
      "BAD_REQUEST",
    );
    await back.client.user.delete.mutate({ password: user.password });
    expect(
      await codeOf(signIn(url, { login: user.user.email, password: user.password }, rec)),
    ).toBe("UNAUTHORIZED");
  });

  it("brute force gets 429 with Retry-After; the owner still signs in from another address", async () => {
    const owner = await signUp(url, {}, rec);
    const attacker = client(undefined, { ip: "203.0.113.66" });
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(
          attacker.auth.login.mutate({ login: owner.user.username, password: `guess-${i}-xx` }),
        ),
      ).toBe("UNAUTHORIZED");
    }
    const blocked = await callProcedure(url, "auth.login", {
      input: { login: owner.user.username, password: owner.password },
      headers: { "x-real-ip": "203.0.113.66" },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.errorCode).toBe("TOO_MANY_REQUESTS");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);

    const fromHome = client(undefined, { ip: "198.51.100.7" });
    expect(
      await codeOf(
        fromHome.auth.login.mutate({ login: owner.user.username, password: owner.password }),
      ),
    ).toBe("OK");
  });

  it("no response ever contained a password hash, a token hash or an API key secret after its creation", async () => {
    const db = t.server.deps.db.prisma;
    const hashes = [
      ...(await db.user.findMany({ select: { passwordHash: true } })).map((u) => u.passwordHash),
      ...(await db.session.findMany({ select: { tokenHash: true } })).map((s) => s.tokenHash),
      ...(await db.rotatedToken.findMany({ select: { tokenHash: true } })).map((r) => r.tokenHash),
      ...(await db.apiKey.findMany({ select: { keyHash: true } })).map((k) => k.keyHash),
    ];
    expect(hashes.length).toBeGreaterThan(10);
    expect(apiKeySecrets.length).toBeGreaterThan(0);
    expect(responses.length).toBeGreaterThan(20);
    const all = responses.join("\n");
    expect(all).not.toMatch(/passwordHash|password_hash|tokenHash|keyHash|\$argon2/);
    for (const hash of hashes) expect(all).not.toContain(hash);
    for (const secret of apiKeySecrets) {
      // Exactly once: in the response of auth.apiKeys.create.
      expect(all.split(secret).length - 1).toBe(1);
    }
  });
});
