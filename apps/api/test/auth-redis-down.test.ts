import { spawnSync } from "node:child_process";
import { createParleyClient, signIn, signUp } from "@parley/client";
import { servicesRequired, startPrivateRedis, waitFor, type PrivateService } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startTestServer, type TestServer } from "./ops-helpers";

function redisServerMissing(): string | false {
  if (spawnSync("redis-server", ["--version"]).status === 0) return false;
  if (servicesRequired) throw new Error("REQUIRE_SERVICES=1 but redis-server is not installed");
  return "redis-server not installed";
}

// A private redis-server this test may kill, so the shared one other tests use is untouched.
describe.skipIf(redisServerMissing())("signing in while Redis is down", () => {
  let redis: PrivateService;
  let t: TestServer;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestServer({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.stop();
    await redis?.destroy();
  });

  const readiness = async () => {
    const response = await fetch(`${t.base}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  it("uses Redis while it is up: the live session is cached there", async () => {
    const user = await signUp(t.base, { username: "cached_user" });
    const me = await user.client.auth.me.query();
    const cached = await t.server.deps.redis!.get(`${t.keyPrefix}auth:s:${me.sessionId}`);
    expect(JSON.parse(cached!)).toMatchObject({ userId: user.user.id });
    expect(await readiness()).toEqual({
      status: 200,
      body: { status: "ok", database: "ok", cache: "ok" },
    });
  });

  it("with Redis stopped, sign-in and auth.me still work from Postgres and /readyz says the cache is degraded", async () => {
    const before = await signUp(t.base, { username: "before_outage" });
    await redis.stop();
    await waitFor("the API to notice Redis is gone", () => t.server.deps.redis!.status !== "ready");

    const signedIn = await signIn(t.base, { login: "before_outage", password: before.password });
    expect((await signedIn.client.auth.me.query()).id).toBe(before.user.id);
    expect((await before.client.auth.me.query()).id).toBe(before.user.id);
    const registered = await signUp(t.base, { username: "during_outage" });
    expect((await registered.client.auth.me.query()).username).toBe("during_outage");
    const refreshed = await createParleyClient({ url: t.base }).auth.refresh.mutate({
      refreshToken: registered.refreshToken,
    });
    expect(refreshed.refreshToken).toBeDefined();

    expect(await readiness()).toEqual({
      status: 200,
      body: { status: "degraded", database: "ok", cache: "degraded" },
    });
  });

  it("logout during the outage still takes effect at once, and after Redis returns", async () => {
    const staying = await signUp(t.base, { username: "outage_stays" });
    const leaving = await signUp(t.base, { username: "outage_leaves" });
    await leaving.client.auth.logout.mutate();
    expect(await codeOf(leaving.client.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(staying.client.auth.me.query())).toBe("OK");

    await redis.start();
    await waitFor(
      "the cache to be ready again",
      async () => (await readiness()).body.cache === "ok",
    );
    expect(await codeOf(leaving.client.auth.me.query())).toBe("UNAUTHORIZED");
    expect(await codeOf(staying.client.auth.me.query())).toBe("OK");
  });
});
