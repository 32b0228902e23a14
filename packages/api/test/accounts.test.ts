import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, createAuthTestContext, type AuthTestContext, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

describe(`API keys, account changes and admin (${where})`, () => {
  let c: AuthTestContext;
  let admin: Registered;
  beforeAll(async () => {
    c = await createAuthTestContext();
    admin = await c.register("root");
  });
  afterAll(() => c?.cleanup());
  const as = async (token: string, ip?: string) =>
    (await c.caller({ token, ...(ip ? { ip } : {}) })).api;

  describe("API keys", () => {
    it("shows the secret once; the key then authenticates until revoked", async () => {
      const ada = await c.register("ada_keys");
      const api = await as(ada.accessToken);
      const created = await api.auth.apiKeys.create({ name: "  my script  " });
      expect(created.secret).toMatch(/^parley_[a-z2-7]{52}\.[0-9a-f]{32}$/);
      expect(created).toMatchObject({ name: "my script", prefix: created.secret.slice(0, 15) });

      const listed = await api.auth.apiKeys.list();
      expect(listed).toEqual([
        {
          id: created.id,
          name: "my script",
          prefix: created.prefix,
          createdAt: created.createdAt,
          lastUsedAt: null,
          scopes: ["chat", "read"],
          expiresAt: null,
        },
      ]);
      expect(JSON.stringify(listed)).not.toContain(created.secret);

      const viaKey = await as(created.secret);
      expect(await viaKey.auth.me()).toMatchObject({ id: ada.id, via: "apiKey", sessionId: null });

      await api.auth.apiKeys.revoke({ id: created.id });
      expect(await codeOf((await as(created.secret)).auth.me())).toBe("UNAUTHORIZED");
      expect(await api.auth.apiKeys.list()).toEqual([]);
      expect(await codeOf(api.auth.apiKeys.revoke({ id: created.id }))).toBe("NOT_FOUND");
    });

    it("an API key cannot create keys, change the password or delete the account", async () => {
      const tool = await c.register("tool_owner");
      const key = await (await as(tool.accessToken)).auth.apiKeys.create({ name: "ci" });
      const viaKey = await as(key.secret);
      expect(await codeOf(viaKey.auth.apiKeys.create({ name: "more" }))).toBe("FORBIDDEN");
      expect(
        await codeOf(
          viaKey.user.changePassword({ current: tool.password, next: "new-password-1" }),
        ),
      ).toBe("FORBIDDEN");
      expect(await codeOf(viaKey.user.delete({ password: tool.password }))).toBe("FORBIDDEN");
    });

    it("refuses an empty or overlong name", async () => {
      const api = await as((await c.register("key_names")).accessToken);
      expect(await codeOf(api.auth.apiKeys.create({ name: "   " }))).toBe("BAD_REQUEST");
      expect(await codeOf(api.auth.apiKeys.create({ name: "n".repeat(101) }))).toBe("BAD_REQUEST");
    });

    it("caps the number of active keys", async () => {
      const hoarder = await c.register("key_hoarder");
      const api = await as(hoarder.accessToken);
      for (let i = 0; i < 25; i++) await api.auth.apiKeys.create({ name: `k${i}` });
      expect(await codeOf(api.auth.apiKeys.create({ name: "one too many" }))).toBe(
        "PRECONDITION_FAILED",
      );
    });
  });

  describe("user.update", () => {
    it("changes username and email, and names the field on a clash", async () => {
      const u = await c.register("rename_me");
      await c.register("already_here");
      const api = await as(u.accessToken);
      expect(
        await api.user.update({ username: "renamed", email: "NEW@example.com" }),
      ).toMatchObject({
        username: "renamed",
        email: "new@example.com",
      });
      const clash = await api.user.update({ username: "already_here" }).catch((e: unknown) => e);
      expect(clash).toMatchObject({ code: "CONFLICT", message: "username already in use" });
      expect(await codeOf(api.user.update({}))).toBe("BAD_REQUEST");
      expect(await codeOf(api.user.update({ email: "nope" }))).toBe("BAD_REQUEST");
    });
  });

  describe("user.changePassword", () => {
    it("needs the current password, then signs out every other session but this one", async () => {
      const u = await c.register("pw_changer");
      const laptop = await (
        await c.caller({ ip: "10.8.0.2" })
      ).api.auth.login({
        login: "pw_changer",
        password: u.password,
        refreshTokenInBody: true,
      });
      const api = await as(u.accessToken);
      const wrong = await api.user
        .changePassword({ current: "not-the-password", next: "brand-new-pass" })
        .catch((e: unknown) => e);
      expect(wrong).toMatchObject({ code: "BAD_REQUEST" });
      expect(await codeOf(api.user.changePassword({ current: u.password, next: "short" }))).toBe(
        "BAD_REQUEST",
      );

      await api.user.changePassword({ current: u.password, next: "brand-new-pass" });
      expect(await codeOf((await as(laptop.accessToken)).auth.me())).toBe("UNAUTHORIZED");
      expect(
        await codeOf((await c.caller()).api.auth.refresh({ refreshToken: laptop.refreshToken! })),
      ).toBe("UNAUTHORIZED");
      expect(await codeOf(api.auth.me())).toBe("OK");

      const login = (await c.caller({ ip: "10.8.0.3" })).api.auth.login;
      expect(await codeOf(login({ login: "pw_changer", password: u.password }))).toBe(
        "UNAUTHORIZED",
      );
      expect(await codeOf(login({ login: "pw_changer", password: "brand-new-pass" }))).toBe("OK");
    });
  });

  describe("user.delete", () => {
    it("needs the password and removes the account with all its data", async () => {
      const u = await c.register("leaving_user");
      const api = await as(u.accessToken);
      const key = await api.auth.apiKeys.create({ name: "k" });
      await c.deps.db.prisma.conversation.create({ data: { userId: u.id, title: "mine" } });

      expect(await codeOf(api.user.delete({ password: "wrong-password" }))).toBe("BAD_REQUEST");
      await api.user.delete({ password: u.password });

      expect(await c.deps.db.prisma.user.count({ where: { id: u.id } })).toBe(0);
      expect(await c.deps.db.prisma.conversation.count({ where: { userId: u.id } })).toBe(0);
      expect(await codeOf((await as(u.accessToken)).auth.me())).toBe("UNAUTHORIZED");
      expect(await codeOf((await as(key.secret)).auth.me())).toBe("UNAUTHORIZED");
      expect(
        await codeOf(
          (await c.caller({ ip: "10.8.1.1" })).api.auth.login({
            login: "leaving_user",
            password: u.password,
          }),
        ),
      ).toBe("UNAUTHORIZED");
    });
  });

  describe("admin", () => {
    it("is for admins only", async () => {
      const u = await c.register("not_admin");
      const api = await as(u.accessToken);
      expect(await codeOf(api.user.admin.list())).toBe("FORBIDDEN");
      expect(await codeOf(api.user.admin.setRole({ userId: u.id, role: "admin" }))).toBe(
        "FORBIDDEN",
      );
      expect(await codeOf(api.user.admin.setDisabled({ userId: admin.id, disabled: true }))).toBe(
        "FORBIDDEN",
      );
    });

    it("lists users page by page and searches username or email", async () => {
      for (const n of ["page_a", "page_b", "page_c"]) await c.register(n);
      const api = await as(admin.accessToken);
      const first = await api.user.admin.list({ query: "PAGE_", limit: 2 });
      expect(first.items.map((u) => u.username)).toEqual(["page_c", "page_b"]);
      const second = await api.user.admin.list({
        query: "page_",
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second).toEqual({
        items: [expect.objectContaining({ username: "page_a" })],
        nextCursor: null,
      });
      expect(first.items[0]).not.toHaveProperty("passwordHash");
    });

    it("setRole applies on the very next request and refuses to remove the last admin", async () => {
      const u = await c.register("promote_me");
      const api = await as(admin.accessToken);
      // Each call authenticates afresh, as each HTTP request does.
      const listAsUser = async () => codeOf((await as(u.accessToken)).user.admin.list());
      expect(await listAsUser()).toBe("FORBIDDEN");
      await api.user.admin.setRole({ userId: u.id, role: "admin" });
      expect(await listAsUser()).toBe("OK");
      await api.user.admin.setRole({ userId: u.id, role: "user" });
      expect(await listAsUser()).toBe("FORBIDDEN");
      expect(await codeOf(api.user.admin.setRole({ userId: admin.id, role: "user" }))).toBe(
        "PRECONDITION_FAILED",
      );
      expect(
        await codeOf(
          api.user.admin.setRole({ userId: "00000000-0000-4000-8000-000000000000", role: "user" }),
        ),
      ).toBe("NOT_FOUND");
    });

    it("disabling revokes every session and key at once; enabling lets the user sign in again", async () => {
      const u = await c.register("to_disable");
      const key = await (await as(u.accessToken)).auth.apiKeys.create({ name: "k" });
      const api = await as(admin.accessToken);
      expect(await codeOf((await as(key.secret)).auth.me())).toBe("OK");

      const disabled = await api.user.admin.setDisabled({ userId: u.id, disabled: true });
      expect(disabled.disabledAt).toBeInstanceOf(Date);
      expect(await codeOf((await as(u.accessToken)).auth.me())).toBe("UNAUTHORIZED");
      expect(await codeOf((await as(key.secret)).auth.me())).toBe("UNAUTHORIZED");
      expect(
        await codeOf((await c.caller()).api.auth.refresh({ refreshToken: u.refreshToken })),
      ).toBe("UNAUTHORIZED");

      await api.user.admin.setDisabled({ userId: u.id, disabled: false });
      expect(
        await codeOf(
          (await c.caller({ ip: "10.8.2.1" })).api.auth.login({
            login: "to_disable",
            password: u.password,
          }),
        ),
      ).toBe("OK");
      // Revoked keys stay revoked.
      expect(await codeOf((await as(key.secret)).auth.me())).toBe("UNAUTHORIZED");
    });

    it("an admin cannot disable themselves", async () => {
      const api = await as(admin.accessToken);
      expect(await codeOf(api.user.admin.setDisabled({ userId: admin.id, disabled: true }))).toBe(
        "PRECONDITION_FAILED",
      );
    });
  });
});
