import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, createAuthTestContext, type AuthTestContext } from "./support";
import { backendName } from "@parley/testing";

const where = backendName();
const fromApp = { origin: "https://app.example.com", host: "api.example.com" };

describe(`sessions, refresh and revocation (${where})`, () => {
  let c: AuthTestContext;
  beforeAll(async () => {
    c = await createAuthTestContext();
    await c.register("the_admin");
  });
  afterAll(() => c?.cleanup());

  it("refresh rotates the token: the new one works, the old access token keeps working", async () => {
    const ada = await c.register("ada_refresh");
    const { api } = await c.caller();
    const next = await api.auth.refresh({ refreshToken: ada.refreshToken });
    expect(next.refreshToken).toMatch(/^[a-z2-7]{52}\.[0-9a-f]{32}$/);
    expect(next.refreshToken).not.toBe(ada.refreshToken);
    expect((await (await c.caller({ token: next.accessToken })).api.auth.me()).id).toBe(ada.id);
    expect((await (await c.caller({ token: ada.accessToken })).api.auth.me()).id).toBe(ada.id);
    const again = await api.auth.refresh({ refreshToken: next.refreshToken! });
    expect(again.user.id).toBe(ada.id);
  });

  it("replaying a rotated refresh token revokes the whole session", async () => {
    const eve = await c.register("eve_replay");
    const { api } = await c.caller();
    const rotated = await api.auth.refresh({ refreshToken: eve.refreshToken });
    // An attacker replays the copied original token.
    const replay = await api.auth
      .refresh({ refreshToken: eve.refreshToken })
      .catch((e: Error) => e);
    expect(replay).toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringMatching(/already used/),
    });
    // The legitimate holder is signed out too: both its refresh token and its access tokens.
    expect(await codeOf(api.auth.refresh({ refreshToken: rotated.refreshToken! }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await codeOf((await c.caller({ token: rotated.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
    expect(await codeOf((await c.caller({ token: eve.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
  });

  it("gives a just-rotated cookie a grace window (two tabs) without a new cookie", async () => {
    const tabs = await c.register("two_tabs");
    const cookie = `parley_refresh=${tabs.refreshToken}`;
    const first = await c.caller({ headers: new Headers({ ...fromApp, cookie }) });
    const won = await first.api.auth.refresh();
    expect(first.req.responseHeaders.get("set-cookie")).toMatch(
      /^parley_refresh=[a-z2-7]{52}\.[0-9a-f]{32};/,
    );
    const second = await c.caller({ headers: new Headers({ ...fromApp, cookie }) });
    const late = await second.api.auth.refresh();
    expect(late.user.id).toBe(tabs.id);
    expect(second.req.responseHeaders.get("set-cookie")).toBeNull();
    // The session survived: the winner's access token still works.
    expect((await (await c.caller({ token: won.accessToken })).api.auth.me()).id).toBe(tabs.id);
  });

  it("gives a token sent in the body no grace window", async () => {
    const desk = await c.register("desktop_race");
    const { api } = await c.caller();
    await api.auth.refresh({ refreshToken: desk.refreshToken });
    expect(await codeOf(api.auth.refresh({ refreshToken: desk.refreshToken }))).toBe(
      "UNAUTHORIZED",
    );
    expect(await codeOf((await c.caller({ token: desk.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
  });

  it("refuses a cookie refresh from a foreign or missing Origin", async () => {
    const web = await c.register("web_origin");
    const cookie = `parley_refresh=${web.refreshToken}`;
    const evil = await c.caller({
      headers: new Headers({ cookie, host: "api.example.com", origin: "https://evil.example" }),
    });
    expect(await codeOf(evil.api.auth.refresh())).toBe("FORBIDDEN");
    const bare = await c.caller({ headers: new Headers({ cookie, host: "api.example.com" }) });
    expect(await codeOf(bare.api.auth.refresh())).toBe("FORBIDDEN");
    // Same origin as the API itself is fine, and so is a configured CORS origin.
    const same = await c.caller({
      headers: new Headers({ cookie, host: "api.example.com", origin: "https://api.example.com" }),
    });
    expect(await codeOf(same.api.auth.refresh())).toBe("OK");
  });

  it("refuses an unknown refresh token and clears a bad cookie", async () => {
    const { api } = await c.caller();
    expect(await codeOf(api.auth.refresh({ refreshToken: "a".repeat(52) }))).toBe("UNAUTHORIZED");
    expect(await codeOf(api.auth.refresh())).toBe("UNAUTHORIZED");
    const withCookie = await c.caller({
      headers: new Headers({ ...fromApp, cookie: `parley_refresh=${"b".repeat(52)}` }),
    });
    expect(await codeOf(withCookie.api.auth.refresh())).toBe("UNAUTHORIZED");
    expect(withCookie.req.responseHeaders.get("set-cookie")).toMatch(
      /^parley_refresh=; .*Max-Age=0/,
    );
  });

  it("logout ends the session at once: access token and refresh token both stop working", async () => {
    const bob = await c.register("bob_logout");
    const { api } = await c.caller({ token: bob.accessToken });
    expect(await api.auth.me()).toMatchObject({ id: bob.id });
    await api.auth.logout();
    expect(await codeOf((await c.caller({ token: bob.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
    expect(
      await codeOf((await c.caller()).api.auth.refresh({ refreshToken: bob.refreshToken })),
    ).toBe("UNAUTHORIZED");
  });

  it("logout by cookie checks Origin and clears the cookie", async () => {
    const web = await c.register("cookie_logout");
    const cookie = `parley_refresh=${web.refreshToken}`;
    const evil = await c.caller({
      headers: new Headers({ cookie, host: "api.example.com", origin: "https://evil.example" }),
    });
    expect(await codeOf(evil.api.auth.logout())).toBe("FORBIDDEN");
    expect(await codeOf((await c.caller({ token: web.accessToken })).api.auth.me())).toBe("OK");
    const app = await c.caller({ headers: new Headers({ ...fromApp, cookie }) });
    await app.api.auth.logout();
    expect(app.req.responseHeaders.get("set-cookie")).toMatch(/^parley_refresh=; .*Max-Age=0/);
    expect(await codeOf((await c.caller({ token: web.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
  });

  it("lists sessions with device, IP and the current one marked; revoking one signs it out at once", async () => {
    const kay = await c.register("kay_sessions", { ip: "10.7.0.1" });
    const phone = await (
      await c.caller({
        ip: "10.7.0.2",
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1",
      })
    ).api.auth.login({ login: "kay_sessions", password: kay.password, refreshTokenInBody: true });
    const { api } = await c.caller({ token: kay.accessToken });
    const sessions = await api.auth.sessions.list();
    expect(sessions).toHaveLength(2);
    const current = sessions.find((s) => s.current)!;
    const other = sessions.find((s) => !s.current)!;
    expect(current).toMatchObject({ ip: "10.7.0.1", device: expect.any(String) });
    expect(other).toMatchObject({ ip: "10.7.0.2", device: "Safari on iOS" });
    expect(other.createdAt).toBeInstanceOf(Date);
    expect(other.lastUsedAt).toBeInstanceOf(Date);

    await api.auth.sessions.revoke({ id: other.id });
    expect(await codeOf((await c.caller({ token: phone.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
    expect(
      await codeOf((await c.caller()).api.auth.refresh({ refreshToken: phone.refreshToken! })),
    ).toBe("UNAUTHORIZED");
    expect((await api.auth.sessions.list()).map((s) => s.id)).toEqual([current.id]);
  });

  it("keeps at most 50 sessions per user: signing in again ends the least recently used and expired ones", async () => {
    const busy = await c.register("many_sessions");
    const day = 24 * 60 * 60 * 1000;
    const rows = Array.from({ length: 55 }, (_, i) => ({
      id: `seeded-${String(i).padStart(3, "0")}`.padEnd(64, "0"),
      userId: busy.id,
      tokenHash: `seeded-hash-${String(i).padStart(3, "0")}`.padEnd(64, "0"),
      // seeded-0 is the least recently used; seeded-54 expired yesterday.
      lastUsedAt: new Date(Date.now() - (60 - i) * 60_000),
      expiresAt: new Date(Date.now() + (i === 54 ? -day : 30 * day)),
    }));
    await c.deps.db.prisma.session.createMany({ data: rows });
    const { api } = await c.caller({ ip: "10.30.0.1" });
    const latest = await api.auth.login({ login: "many_sessions", password: busy.password });

    const left = await c.deps.db.prisma.session.findMany({
      where: { userId: busy.id },
      select: { id: true },
    });
    const ids = new Set(left.map((s) => s.id));
    expect(ids.size).toBe(50);
    expect(ids.has(rows[0]!.id)).toBe(false);
    expect(ids.has(rows[54]!.id)).toBe(false);
    expect(await codeOf((await c.caller({ token: latest.accessToken })).api.auth.me())).toBe("OK");
  });

  it("expired sessions cannot be refreshed or used", async () => {
    const old = await c.register("expired_session");
    const me = await (await c.caller({ token: old.accessToken })).api.auth.me();
    await c.deps.db.prisma.session.update({
      where: { userId_id: { userId: me.id, id: me.sessionId! } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // Evict the cached entry the way a TTL would.
    await c.deps.sessionCache.delete([`s:${me.sessionId}`]);
    expect(await codeOf((await c.caller({ token: old.accessToken })).api.auth.me())).toBe(
      "UNAUTHORIZED",
    );
    expect(
      await codeOf((await c.caller()).api.auth.refresh({ refreshToken: old.refreshToken })),
    ).toBe("UNAUTHORIZED");
  });
});
