import { createParleyClient, signUp, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestServer, type TestServer } from "./ops-helpers";

// User B holds a valid session of their own and knows every id of user A's; none of it
// must let B read or change A's sessions, keys or profile.
describe("user B cannot reach user A's sessions, keys or profile (over HTTP)", () => {
  let t: TestServer;
  let a: SignedIn;
  let b: SignedIn;
  let aSessionId: string;
  let aKey: { id: string; secret: string };

  beforeAll(async () => {
    t = await startTestServer();
    await signUp(t.base, { username: "the_admin" });
    a = await signUp(t.base, { username: "alice" });
    b = await signUp(t.base, { username: "bob" });
    aSessionId = (await a.client.auth.me.query()).sessionId!;
    aKey = await a.client.auth.apiKeys.create.mutate({ name: "alice's tool" });
  });
  afterAll(() => t?.stop());

  it("auth.me answers with B's own profile only", async () => {
    const me = await b.client.auth.me.query();
    expect(me.id).toBe(b.user.id);
    expect(JSON.stringify(me)).not.toContain(a.user.id);
  });

  it("auth.sessions.list shows none of A's sessions", async () => {
    const ids = (await b.client.auth.sessions.list.query()).map((s) => s.id);
    expect(ids).not.toContain(aSessionId);
    expect(ids).toHaveLength(1);
  });

  it("auth.sessions.revoke of A's session is NOT_FOUND and A stays signed in", async () => {
    expect(await codeOf(b.client.auth.sessions.revoke.mutate({ id: aSessionId }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(a.client.auth.me.query())).toBe("OK");
  });

  it("auth.apiKeys.list shows none of A's keys", async () => {
    expect(await b.client.auth.apiKeys.list.query()).toEqual([]);
  });

  it("auth.apiKeys.revoke of A's key is NOT_FOUND and the key keeps working", async () => {
    expect(await codeOf(b.client.auth.apiKeys.revoke.mutate({ id: aKey.id }))).toBe("NOT_FOUND");
    const viaKey = createParleyClient({ url: t.base, apiKey: aKey.secret });
    expect((await viaKey.auth.me.query()).id).toBe(a.user.id);
  });

  it("auth.logout with B's token ends B's session, not A's", async () => {
    const b2 = await signUp(t.base);
    await b2.client.auth.logout.mutate({ refreshToken: a.refreshToken });
    expect(await codeOf(b2.client.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(a.client.auth.me.query())).toBe("OK");
  });

  it("user.update changes only B, and cannot take A's username or email", async () => {
    expect(await codeOf(b.client.user.update.mutate({ username: "alice" }))).toBe("CONFLICT");
    expect(await codeOf(b.client.user.update.mutate({ email: a.user.email }))).toBe("CONFLICT");
    await b.client.user.update.mutate({ username: "bobby" });
    expect((await a.client.auth.me.query()).username).toBe("alice");
  });

  it("user.changePassword with A's password does nothing to A", async () => {
    expect(
      await codeOf(
        b.client.user.changePassword.mutate({ current: a.password, next: "taken-over-1" }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await codeOf(a.client.auth.me.query())).toBe("OK");
  });

  it("user.delete with A's password deletes nobody", async () => {
    expect(await codeOf(b.client.user.delete.mutate({ password: a.password }))).toBe("BAD_REQUEST");
    expect(await codeOf(a.client.auth.me.query())).toBe("OK");
    expect(await codeOf(b.client.auth.me.query())).toBe("OK");
  });

  it("user.admin.list, setRole and setDisabled are FORBIDDEN to a non-admin", async () => {
    expect(await codeOf(b.client.user.admin.list.query())).toBe("FORBIDDEN");
    expect(
      await codeOf(b.client.user.admin.setRole.mutate({ userId: b.user.id, role: "admin" })),
    ).toBe("FORBIDDEN");
    expect(
      await codeOf(b.client.user.admin.setDisabled.mutate({ userId: a.user.id, disabled: true })),
    ).toBe("FORBIDDEN");
    expect(await codeOf(a.client.auth.me.query())).toBe("OK");
  });
});
