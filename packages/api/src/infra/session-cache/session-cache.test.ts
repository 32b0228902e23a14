import { randomBytes } from "node:crypto";
import { missing, redisUrl, waitFor } from "@parley/testing";
import {
  describeContract,
  inProcess,
  onRedis,
  redisBehindProxy,
  type Implementation,
} from "@parley/testing/contract";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis } from "../redis";
import {
  createMemorySessionCache,
  createRedisSessionCache,
  type CachedAccess,
  type SessionCache,
} from "./index";

const entry = (userId = "user-1"): CachedAccess => ({
  userId,
  role: "user",
  expiresAt: Date.now() + 60_000,
  account: { username: userId, email: `${userId}@example.com`, createdAt: 1, disabled: false },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Caches over fresh state; caches built with the same `shared` name see each other. */
function memoryCaches() {
  const shared = new Map<string, SessionCache>();
  return inProcess(
    (name?: string) => {
      if (!name) return createMemorySessionCache();
      if (!shared.has(name)) shared.set(name, createMemorySessionCache());
      return shared.get(name)!;
    },
    () => shared.clear(),
  );
}
const caches: Array<Implementation<SessionCache, [string?]>> = [
  memoryCaches(),
  onRedis({
    name: "session-cache",
    connect: connectRedis,
    create: async ({ client, prefix }, shared?: string) =>
      createRedisSessionCache(await client(), { prefix: prefix(shared) }),
  }),
];

// One contract, both implementations: the embedded default must behave like production.
describeContract("session cache contract", caches, (impl) => {
  it("misses on an unknown key", async () => {
    const cache = await impl.create();
    expect(await cache.get("s:nothing")).toBeNull();
  });

  it("returns what was set, per key", async () => {
    const cache = await impl.create();
    const a = entry("user-a");
    await cache.set("s:a", a, 60);
    await cache.set("k:b", { ...entry("user-b"), role: "admin" }, 60);
    expect(await cache.get("s:a")).toEqual(a);
    expect(await cache.get("k:b")).toMatchObject({ userId: "user-b", role: "admin" });
  });

  it("forgets deleted keys at once, several at a time", async () => {
    const cache = await impl.create();
    for (const key of ["s:1", "s:2", "s:3"]) await cache.set(key, entry(), 60);
    await cache.delete(["s:1", "s:2"]);
    expect(await cache.get("s:1")).toBeNull();
    expect(await cache.get("s:2")).toBeNull();
    expect(await cache.get("s:3")).not.toBeNull();
    await cache.delete([]);
  });

  it("lets entries expire after their TTL", async () => {
    const cache = await impl.create();
    await cache.set("s:short", entry(), 1);
    expect(await cache.get("s:short")).not.toBeNull();
    await sleep(1_100);
    expect(await cache.get("s:short")).toBeNull();
  });

  it("overwrites an entry on set", async () => {
    const cache = await impl.create();
    await cache.set("s:x", entry("old"), 60);
    await cache.set("s:x", entry("new"), 60);
    expect(await cache.get("s:x")).toMatchObject({ userId: "new" });
  });

  it("a delete through one instance is seen by another over the same store", async () => {
    const name = randomBytes(4).toString("hex");
    const one = await impl.create(name);
    const two = await impl.create(name);
    await one.set("s:shared", entry(), 60);
    expect(await two.get("s:shared")).not.toBeNull();
    await two.delete(["s:shared"]);
    expect(await one.get("s:shared")).toBeNull();
  });
});

describe.skipIf(missing("redis"))("redis session cache when Redis is unreachable", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("misses instead of throwing, and applies a delete made during the outage once Redis is back", async () => {
    const link = await redisBehindProxy(connectRedis);
    cleanups.push(() => link.close());
    const direct = await connectRedis(redisUrl()!);
    cleanups.push(() => direct.disconnect());
    const prefix = `test:session-cache-outage:${randomBytes(6).toString("hex")}:`;
    const cache = createRedisSessionCache(link.client, { prefix });

    await cache.set("s:revoked", entry(), 300);
    await cache.set("s:kept", entry(), 300);
    await link.cut();

    expect(await cache.get("s:kept")).toBeNull();
    await expect(cache.set("s:new", entry(), 300)).resolves.toBeUndefined();
    await expect(cache.delete(["s:revoked"])).resolves.toBeUndefined();
    // Redis itself still holds the stale entry: only this process knows it is revoked.
    expect(await direct.get(`${prefix}s:revoked`)).not.toBeNull();

    await link.restore();
    await waitFor(
      "the pending delete to reach Redis",
      async () => (await direct.get(`${prefix}s:revoked`)) === null,
    );
    expect(await cache.get("s:revoked")).toBeNull();
    expect(await cache.get("s:kept")).not.toBeNull();
  });
});
