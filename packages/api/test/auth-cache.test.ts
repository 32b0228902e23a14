import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/core/auth/jwt";
import { codeOf, createAuthTestContext, type AuthTestContext, type Registered } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();

/**
 * auth.me and the auth middleware are served from the session-cache entry, which carries
 * the role, the disabled flag and the account: on a hit nothing is read from Postgres, and
 * every change to what the entry holds forgets it, so the change acts on the next request.
 */
describe(`authentication from the session cache (${where})`, () => {
  let c: AuthTestContext;
  let admin: Registered;
  beforeAll(async () => {
    c = await createAuthTestContext({ adminEmail: "cache_admin@example.com" });
    admin = await c.register("cache_admin");
  });
  afterAll(() => c?.cleanup());

  const as = async (user: Registered) => (await c.caller({ token: user.accessToken })).api;
  const rawUpdate = (sql: string, params: unknown[]) =>
    c.deps.db.withConnection((db) => db.query(sql, params));

  it("a cache hit answers auth.me without reading the users table", async () => {
    const user = await c.register("cache_reader");
    expect((await (await as(user)).auth.me()).username).toBe("cache_reader");
    // Behind the application's back (no service call, so nothing is forgotten): a request
    // that read Postgres would see this name.
    await rawUpdate("UPDATE users SET username = $1 WHERE id = $2::uuid", ["renamed_raw", user.id]);
    const me = await (await as(user)).auth.me();
    expect(me).toMatchObject({
      id: user.id,
      username: "cache_reader",
      email: "cache_reader@example.com",
      role: "user",
      disabledAt: null,
      via: "session",
    });
    expect(me.createdAt).toBeInstanceOf(Date);
  });

  it("a profile change shows in auth.me on the next request", async () => {
    const user = await c.register("cache_profile");
    await (await as(user)).auth.me();
    await (await as(user)).user.update({ username: "cache_profile_new" });
    expect((await (await as(user)).auth.me()).username).toBe("cache_profile_new");
  });

  it("a role change acts on the very next request, both ways", async () => {
    const user = await c.register("cache_promoted");
    expect(await codeOf((await as(user)).user.admin.list())).toBe("FORBIDDEN");
    await (await as(admin)).user.admin.setRole({ userId: user.id, role: "admin" });
    expect((await (await as(user)).auth.me()).role).toBe("admin");
    expect(await codeOf((await as(user)).user.admin.list())).toBe("OK");
    await (await as(admin)).user.admin.setRole({ userId: user.id, role: "user" });
    expect(await codeOf((await as(user)).user.admin.list())).toBe("FORBIDDEN");
  });

  it("disabling acts on the very next request of a cached session", async () => {
    const user = await c.register("cache_disabled");
    expect(await codeOf((await as(user)).auth.me())).toBe("OK");
    await (await as(admin)).user.admin.setDisabled({ userId: user.id, disabled: true });
    expect(await codeOf((await as(user)).auth.me())).toBe("UNAUTHORIZED");
    expect(await codeOf((await as(user)).chat.conversations.list())).toBe("UNAUTHORIZED");
  });

  // On a cold cache the database decides: these reach the session row itself.
  it("a cold cache refuses the access token of an account disabled behind the session's back", async () => {
    const user = await c.register("cold_disabled");
    // No service call, so the session row stays and nothing is forgotten or cached.
    await rawUpdate("UPDATE users SET disabled_at = now() WHERE id = $1::uuid", [user.id]);
    expect(await codeOf((await as(user)).auth.me())).toBe("UNAUTHORIZED");
    expect(await codeOf((await as(user)).chat.conversations.list())).toBe("UNAUTHORIZED");
  });

  it("a validly signed token naming another user's session is refused", async () => {
    const victim = await c.register("cold_victim");
    const attacker = await c.register("cold_attacker");
    const sessionOf = async (userId: string) => {
      const rows = (await rawUpdate("SELECT id FROM sessions WHERE user_id = $1::uuid", [
        userId,
      ])) as { id: string }[];
      return rows[0]!.id;
    };
    // Signed with the server's own secret: only the session row can tell it is not theirs.
    const forged = await signAccessToken(c.deps.auth.config, {
      userId: attacker.id,
      sessionId: await sessionOf(victim.id),
      role: "user",
    });
    const api = (await c.caller({ token: forged.token })).api;
    expect(await codeOf(api.auth.me())).toBe("UNAUTHORIZED");
    // The victim's own session still works.
    expect(await codeOf((await as(victim)).auth.me())).toBe("OK");
  });
});
