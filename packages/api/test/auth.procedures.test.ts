import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, createAuthTestContext, type AuthTestContext, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

describe(`auth procedures (${where})`, () => {
  let c: AuthTestContext;
  let root: Registered;
  beforeAll(async () => {
    c = await createAuthTestContext({ adminEmail: "Boss@Example.com" });
    root = await c.register("root_admin");
  });
  afterAll(() => c?.cleanup());

  describe("register", () => {
    it("makes the first user an admin and later ones plain users", async () => {
      const second = await c.register("second_user");
      expect(root.role).toBe("admin");
      expect(second.role).toBe("user");
    });

    it("makes the user named by ADMIN_EMAIL an admin, whatever the case of the email", async () => {
      const { api } = await c.caller({ ip: "10.9.9.9" });
      const result = await api.auth.register({
        username: "boss",
        email: "BOSS@example.com",
        password: "boss-password",
      });
      expect(result.user).toMatchObject({ role: "admin", email: "boss@example.com" });
    });

    it.each([
      ["username", { username: "ab" }, /at least 3/],
      ["username", { username: "a".repeat(51) }, /at most 50/],
      ["username", { username: "bad name!" }, /letters, digits/],
      ["email", { email: "not-an-email" }, /valid email/],
      ["email", { email: `${"a".repeat(250)}@example.com` }, /at most 255/],
      ["password", { password: "short" }, /at least 8/],
      ["password", { password: "x".repeat(257) }, /at most 256/],
    ])("refuses a bad %s with a message naming the rule", async (field, override, message) => {
      const { api } = await c.caller();
      const input = {
        username: "valid_name",
        email: "valid@example.com",
        password: "long enough",
        ...override,
      };
      const error = await api.auth.register(input).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      const issues = JSON.parse((error as Error).message) as Array<{
        path: string[];
        message: string;
      }>;
      const issue = issues.find((i) => i.path[0] === field);
      expect(issue?.message).toMatch(message);
    });

    it.each([
      ["username", { username: "taken_name", email: "other@example.com" }],
      ["email", { username: "other_name", email: "taken@example.com" }],
    ])("a duplicate %s is CONFLICT naming the field", async (field, clash) => {
      const { api } = await c.caller({ ip: "10.2.0.1" });
      await api.auth
        .register({ username: "taken_name", email: "taken@example.com", password: "password-1" })
        .catch(() => {});
      const error = await api.auth
        .register({ ...clash, password: "password-2" })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CONFLICT", message: `${field} already in use` });
    });

    it("keeps every character of a 256-character password (no truncation)", async () => {
      const long = "p".repeat(255);
      await c.register("long_password", { password: `${long}A` });
      const { api } = await c.caller({ ip: "10.3.0.1" });
      expect(await codeOf(api.auth.login({ login: "long_password", password: `${long}B` }))).toBe(
        "UNAUTHORIZED",
      );
      expect(await codeOf(api.auth.login({ login: "long_password", password: `${long}A` }))).toBe(
        "OK",
      );
    });
  });

  describe("login", () => {
    it("accepts the username or the email (any case) and returns tokens", async () => {
      const ada = await c.register("ada_login");
      const { api } = await c.caller({ ip: "10.4.0.1" });
      const byName = await api.auth.login({
        login: "ada_login",
        password: ada.password,
        refreshTokenInBody: true,
      });
      const byEmail = await api.auth.login({
        login: "ADA_LOGIN@example.com",
        password: ada.password,
        refreshTokenInBody: true,
      });
      expect(byName.user.id).toBe(ada.id);
      expect(byEmail.user.id).toBe(ada.id);
      expect(byName.refreshToken).toMatch(/^[a-z2-7]{52}\.[0-9a-f]{32}$/);
      expect(byName.accessToken.split(".")).toHaveLength(3);
    });

    it("answers a wrong password and an unknown user the same way", async () => {
      await c.register("grace_login");
      const { api } = await c.caller({ ip: "10.4.0.2" });
      const wrong = await api.auth
        .login({ login: "grace_login", password: "wrong-password" })
        .catch((e: Error) => e);
      const unknown = await api.auth
        .login({ login: "nobody_here", password: "wrong-password" })
        .catch((e: Error) => e);
      expect(wrong).toMatchObject({ code: "UNAUTHORIZED" });
      expect(unknown).toMatchObject({ code: "UNAUTHORIZED", message: (wrong as Error).message });
    });

    it("sets an HttpOnly SameSite=Lax refresh cookie on /trpc unless the token is asked for in the body", async () => {
      const linus = await c.register("linus_cookie");
      const { api, req } = await c.caller({
        ip: "10.4.0.3",
        headers: new Headers({ host: "chat.example.com" }),
        secure: true,
      });
      const result = await api.auth.login({ login: "linus_cookie", password: linus.password });
      expect(result.refreshToken).toBeUndefined();
      const cookie = req.responseHeaders.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^parley_refresh=[a-z2-7]{52}\.[0-9a-f]{32}; /);
      expect(cookie).toContain("Path=/trpc");
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("SameSite=Lax");
      expect(cookie).toContain("Secure");
      expect(cookie).toContain(`Max-Age=${30 * 24 * 60 * 60}`);
    });

    it("marks the cookie Secure exactly when the request came over HTTPS, whatever the host", async () => {
      const local = await c.register("local_cookie");
      for (const [host, secure] of [
        ["localhost:3000", false],
        ["192.168.1.20:3000", false],
        ["chat.example.com", true],
        ["localhost", true],
      ] as const) {
        const { api, req } = await c.caller({
          ip: "10.4.0.4",
          headers: new Headers({ host }),
          secure,
        });
        await api.auth.login({ login: "local_cookie", password: local.password });
        const cookie = req.responseHeaders.get("set-cookie") ?? "";
        expect(cookie, `${host} over ${secure ? "HTTPS" : "HTTP"}`).toMatch(/^parley_refresh=/);
        expect(/;\s*Secure/.test(cookie), host).toBe(secure);
      }
    });

    it("refuses a disabled account with FORBIDDEN, but only once the password matched", async () => {
      const victim = await c.register("disabled_login");
      const admin = await c.caller({ token: root.accessToken });
      await admin.api.user.admin.setDisabled({ userId: victim.id, disabled: true });
      const { api } = await c.caller({ ip: "10.4.0.5" });
      expect(await codeOf(api.auth.login({ login: "disabled_login", password: "not-it" }))).toBe(
        "UNAUTHORIZED",
      );
      expect(
        await codeOf(api.auth.login({ login: "disabled_login", password: victim.password })),
      ).toBe("FORBIDDEN");
    });
  });

  describe("refresh of a disabled account", () => {
    /** The code and the `details.reason` a refused call carries to the client. */
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e as { code?: string; cause?: { details?: { reason?: unknown } } },
      );
      return { code: error?.code, reason: error?.cause?.details?.reason ?? null };
    };

    it("says ACCOUNT_DISABLED, not an ended session, whether or not the session row is left", async () => {
      const victim = await c.register("disabled_refresh");
      const second = await (
        await c.caller({ ip: "10.4.0.6" })
      ).api.auth.login({
        login: "disabled_refresh",
        password: victim.password,
        refreshTokenInBody: true,
      });
      const admin = await c.caller({ token: root.accessToken });
      await admin.api.user.admin.setDisabled({ userId: victim.id, disabled: true });
      const { api } = await c.caller({ ip: "10.4.0.7" });
      // Disabling deleted the sessions: the account is what refuses.
      expect(await refusal(api.auth.refresh({ refreshToken: victim.refreshToken }))).toEqual({
        code: "UNAUTHORIZED",
        reason: "ACCOUNT_DISABLED",
      });
      expect(await refusal(api.auth.refresh({ refreshToken: second.refreshToken! }))).toMatchObject(
        { reason: "ACCOUNT_DISABLED" },
      );
      // Signing in again is refused the same way, once the password matched.
      expect(
        await refusal(api.auth.login({ login: "disabled_refresh", password: victim.password })),
      ).toEqual({ code: "FORBIDDEN", reason: "ACCOUNT_DISABLED" });
      expect(
        await refusal(api.auth.login({ login: "disabled_refresh", password: "not-the-password" })),
      ).toEqual({ code: "UNAUTHORIZED", reason: null });

      // Enabled again, an ended session is only that: no reason, just sign in again.
      await admin.api.user.admin.setDisabled({ userId: victim.id, disabled: false });
      expect(await refusal(api.auth.refresh({ refreshToken: victim.refreshToken }))).toEqual({
        code: "UNAUTHORIZED",
        reason: null,
      });
    });

    it("says ACCOUNT_DISABLED when the account was disabled behind a live session's back", async () => {
      const victim = await c.register("disabled_behind");
      await c.deps.db.prisma.user.update({
        where: { id: victim.id },
        data: { disabledAt: new Date() },
      });
      const { api } = await c.caller({ ip: "10.4.0.8" });
      expect(await refusal(api.auth.refresh({ refreshToken: victim.refreshToken }))).toEqual({
        code: "UNAUTHORIZED",
        reason: "ACCOUNT_DISABLED",
      });
    });

    it("gives a token for another user's id, or a made-up one, only the plain refusal", async () => {
      const other = await c.register("enabled_other");
      const { api } = await c.caller({ ip: "10.4.0.9" });
      const forged = `${"a".repeat(52)}.${other.id.replace(/-/g, "")}`;
      expect(await refusal(api.auth.refresh({ refreshToken: forged }))).toEqual({
        code: "UNAUTHORIZED",
        reason: null,
      });
    });
  });

  describe("me", () => {
    it("answers who is calling, and UNAUTHORIZED without a token", async () => {
      const me = await c.register("me_user");
      const { api } = await c.caller({ token: me.accessToken });
      expect(await api.auth.me()).toMatchObject({ id: me.id, username: "me_user", via: "session" });
      const anonymous = await c.caller();
      expect(await codeOf(anonymous.api.auth.me())).toBe("UNAUTHORIZED");
    });
  });
});
