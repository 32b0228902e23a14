import { startTestOidcProvider, type TestOidcProvider } from "@parley/testing/oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, startTestServer, type TestServer } from "./ops-helpers";
import { backendName } from "@parley/testing";

const where = backendName();

/** A browser's cookie jar and redirect-following, enough for one sign-in journey. */
class Browser {
  readonly cookies = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Response> {
    const target = new URL(url);
    const jar = this.cookies.get(target.host);
    const cookie = jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
    const response = await fetch(target, {
      redirect: "manual",
      headers: cookie ? { cookie } : {},
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      const hostJar = this.cookies.get(target.host) ?? new Map<string, string>();
      if (expired || !value) hostJar.delete(name);
      else hostJar.set(name, value);
      this.cookies.set(target.host, hostJar);
    }
    return response;
  }

  /** Follows redirects until `stop` says so (or a non-redirect answer). */
  async follow(url: string, stop: (url: URL) => boolean = () => false) {
    let next = new URL(url);
    for (let hops = 0; hops < 20; hops++) {
      if (stop(next)) return { url: next, response: null };
      const response = await this.get(next.toString());
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location)
        return { url: next, response };
      next = new URL(location, next);
    }
    throw new Error("too many redirects");
  }
}

describe(`single sign-on with a real OpenID provider on loopback (${where})`, () => {
  let op: TestOidcProvider;
  let t: TestServer;
  beforeAll(async () => {
    op = await startTestOidcProvider({ redirectUris: () => [`${t.base}/auth/oidc/callback`] });
    t = await startTestServer({
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: op.clientId,
      OIDC_CLIENT_SECRET: op.clientSecret,
      OIDC_LABEL: "Test IdP",
    });
  });
  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  const isCallback = (url: URL) => url.pathname === "/auth/oidc/callback";

  /** From the SSO button to the provider's redirect back to us (not yet followed). */
  async function toCallback(browser: Browser): Promise<URL> {
    const { url } = await browser.follow(`${t.base}/auth/oidc/start`, isCallback);
    expect(isCallback(url)).toBe(true);
    return url;
  }

  async function finish(browser: Browser, callback: URL) {
    const response = await browser.get(callback.toString());
    expect(response.status).toBe(302);
    return { location: response.headers.get("location")!, response };
  }

  /** The web app's first call after the redirect: a cookie refresh, then auth.me. */
  async function signedInUser(browser: Browser) {
    const jar = browser.cookies.get(new URL(t.base).host);
    const refresh = jar?.get("parley_refresh");
    if (!refresh) return null;
    const refreshed = await callProcedure(t.base, "auth.refresh", {
      input: {},
      headers: { cookie: `parley_refresh=${refresh}`, origin: t.base },
    });
    if (!refreshed.data)
      throw new Error(`refresh failed: ${refreshed.status} ${refreshed.errorCode}`);
    const token = (refreshed.data as { accessToken: string }).accessToken;
    const me = await callProcedure(t.base, "auth.me", {
      headers: { authorization: `Bearer ${token}` },
    });
    return me.data as { id: string; username: string; email: string };
  }

  async function auditActions(userId: string) {
    const rows = await t.server.deps.db.prisma.auditEvent.findMany({
      where: { userId },
      orderBy: { createdAt: "asc" },
      select: { action: true, details: true },
    });
    return rows;
  }

  it("signs in with authorization code + PKCE, creating and then re-finding the user by subject", async () => {
    op.signInAs({
      sub: "op-user-1",
      email: "dora@example.com",
      emailVerified: true,
      preferredUsername: "dora",
    });
    const browser = new Browser();
    const start = await browser.get(`${t.base}/auth/oidc/start`);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin).toBe(op.issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    // The flow cookie is sealed: the PKCE verifier is not readable in it.
    const flowCookie = start.headers.getSetCookie().find((c) => c.startsWith("parley_oidc="))!;
    expect(flowCookie).toMatch(/HttpOnly/);
    expect(flowCookie).not.toContain(authorize.searchParams.get("state")!);

    const { url: callback } = await browser.follow(authorize.toString(), isCallback);
    const { location } = await finish(browser, callback);
    expect(location).toBe("/");
    const user = await signedInUser(browser);
    expect(user).toMatchObject({ username: "dora", email: "dora@example.com" });
    expect((await auditActions(user!.id)).map((e) => e.action)).toEqual([
      "account.created",
      "oidc.linked",
      "sign_in.ok",
    ]);

    // Again, from a fresh browser: the same account, found by (issuer, subject).
    op.signInAs({ sub: "op-user-1", email: "dora.new@example.com", emailVerified: true });
    const again = new Browser();
    await finish(again, await toCallback(again));
    expect((await signedInUser(again))?.id).toBe(user!.id);
    const actions = (await auditActions(user!.id)).map((e) => e.action);
    expect(actions.filter((a) => a === "oidc.linked")).toHaveLength(1);
    expect(actions.filter((a) => a === "sign_in.ok")).toHaveLength(2);
  });

  it("refuses a forged state, and a callback without the flow cookie", async () => {
    op.signInAs({ sub: "op-user-forge", email: "forge@example.com", emailVerified: true });
    const browser = new Browser();
    const callback = await toCallback(browser);
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state-value");
    const { location, response } = await finish(browser, forged);
    expect(location).toBe("/?sso_error=provider");
    expect(response.headers.getSetCookie().some((c) => c.startsWith("parley_refresh="))).toBe(
      false,
    );
    expect(await signedInUser(browser)).toBeNull();

    const stranger = new Browser();
    const { location: noCookie } = await finish(stranger, callback);
    expect(noCookie).toBe("/?sso_error=expired");
    expect(
      await t.server.deps.db.prisma.user.count({ where: { email: "forge@example.com" } }),
    ).toBe(0);
  });

  it("refuses a replayed authorization code, even with the flow cookie copied", async () => {
    op.signInAs({ sub: "op-user-replay", email: "replay@example.com", emailVerified: true });
    const browser = new Browser();
    const callback = await toCallback(browser);
    const copiedJar = new Map(browser.cookies.get(new URL(t.base).host));
    const consumedBefore = op.consumedCodes();
    expect((await finish(browser, callback)).location).toBe("/");
    expect(op.consumedCodes()).toBe(consumedBefore + 1);

    const attacker = new Browser();
    attacker.cookies.set(new URL(t.base).host, copiedJar);
    attacker.cookies.get(new URL(t.base).host)!.delete("parley_refresh");
    const { location, response } = await finish(attacker, callback);
    expect(location).toBe("/?sso_error=provider");
    expect(response.headers.getSetCookie().some((c) => c.startsWith("parley_refresh="))).toBe(
      false,
    );
  });

  it("links to an existing account by email only when verified and OIDC_LINK_BY_EMAIL allows", async () => {
    const signUp = await callProcedure(t.base, "auth.register", {
      input: { username: "erin", email: "erin@example.com", password: "erin-password" },
    });
    expect(signUp.status).toBe(200);
    const settings = t.server.deps.oidc!.settings;

    op.signInAs({ sub: "op-erin", email: "erin@example.com", emailVerified: true });
    let browser = new Browser();
    expect((await finish(browser, await toCallback(browser))).location).toBe(
      "/?sso_error=email_in_use",
    );

    settings.linkByEmail = true;
    try {
      op.signInAs({ sub: "op-erin", email: "erin@example.com", emailVerified: false });
      browser = new Browser();
      expect((await finish(browser, await toCallback(browser))).location).toBe(
        "/?sso_error=email_unverified",
      );

      op.signInAs({ sub: "op-erin", email: "erin@example.com", emailVerified: true });
      browser = new Browser();
      expect((await finish(browser, await toCallback(browser))).location).toBe("/");
      const erin = await signedInUser(browser);
      expect(erin?.username).toBe("erin");
      const linked = (await auditActions(erin!.id)).find((e) => e.action === "oidc.linked");
      expect(linked?.details).toMatchObject({ by: "email", subject: "op-erin" });
    } finally {
      settings.linkByEmail = false;
    }
  });

  it("creates no account when registration is closed", async () => {
    const config = t.server.deps.auth.config;
    config.registration = "closed";
    try {
      op.signInAs({ sub: "op-late", email: "late@example.com", emailVerified: true });
      const browser = new Browser();
      expect((await finish(browser, await toCallback(browser))).location).toBe(
        "/?sso_error=registration_closed",
      );
    } finally {
      config.registration = "open";
    }
  });

  it("tells the sign-in screen that SSO is on, with its label", async () => {
    const info = await callProcedure(t.base, "registration.info");
    expect(info.data).toMatchObject({
      sso: { enabled: true, label: "Test IdP" },
    });
  });
});
