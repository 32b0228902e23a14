import { randomBytes } from "node:crypto";
import { eventually, missing, redisUrl, waitFor } from "@parley/testing";
import {
  describeContract,
  inProcess,
  onRedis,
  redisBehindProxy,
  type Implementation,
} from "@parley/testing/contract";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { connectRedis } from "../redis";
import {
  createDisabledHistoryCache,
  createMemoryHistoryCache,
  createRedisHistoryCache,
  type HistoryCache,
} from "./index";

/** A load that counts its calls and returns what `value` holds at the time. */
function source<T>(initial: T) {
  const state = { value: initial, calls: 0 };
  return {
    state,
    load: async () => {
      state.calls++;
      return structuredClone(state.value);
    },
  };
}

/** Caches over fresh state; caches made with the same `shared` name are two replicas of one
 * deployment. */
const redisCaches = () =>
  onRedis({
    name: "hc",
    connect: connectRedis,
    create: async ({ client, prefix }, shared?: string) =>
      createRedisHistoryCache(await client(), { prefix: prefix(shared) }),
    close: (cache) => cache.close(),
  });
const caches: Array<Implementation<HistoryCache, [string?]>> = [
  inProcess(() => createMemoryHistoryCache()),
  redisCaches(),
];

// One contract, both implementations: the embedded default behaves like production.
describeContract("history cache contract", caches, (impl) => {
  it("serves a second read without loading, until the user writes", async () => {
    const cache = await impl.create();
    const page = source({ titles: ["a"] });
    expect(await cache.read("u1", "list", page.load)).toEqual({ titles: ["a"] });
    page.state.value = { titles: ["changed behind the cache"] };
    expect(await cache.read("u1", "list", page.load)).toEqual({ titles: ["a"] });
    expect(page.state.calls).toBe(1);
    expect(cache.stats().localHits).toBe(1);

    await cache.invalidate("u1");
    expect(await cache.read("u1", "list", page.load)).toEqual({
      titles: ["changed behind the cache"],
    });
    expect(page.state.calls).toBe(2);
  });

  it("keeps users apart: the same key never serves another user's value", async () => {
    const cache = await impl.create();
    await cache.read("alice", "list", async () => "alice's page");
    expect(await cache.read("bob", "list", async () => "bob's page")).toBe("bob's page");
    expect(await cache.read("alice", "list", async () => "reloaded")).toBe("alice's page");
    // A write of one user leaves the other's entries alone.
    await cache.invalidate("bob");
    expect(await cache.read("alice", "list", async () => "reloaded")).toBe("alice's page");
  });

  it("does not keep what is not cacheable (a page with a reply still streaming)", async () => {
    const cache = await impl.create();
    const page = source({ streaming: true });
    const cacheable = (v: { streaming: boolean }) => !v.streaming;
    await cache.read("u1", "m", page.load, cacheable);
    await cache.read("u1", "m", page.load, cacheable);
    expect(page.state.calls).toBe(2);
    page.state.value = { streaming: false };
    await cache.read("u1", "m", page.load, cacheable);
    await cache.read("u1", "m", page.load, cacheable);
    expect(page.state.calls).toBe(3);
  });

  it("a read that started before a write cannot store its stale page for later reads", async () => {
    const cache = await impl.create();
    let release!: () => void;
    const slow = cache.read(
      "u1",
      "list",
      () => new Promise<string>((resolve) => (release = () => resolve("before the write"))),
    );
    await waitFor("the slow read to start loading", () => release !== undefined);
    await cache.invalidate("u1"); // the write commits while the read is still loading
    release();
    expect(await slow).toBe("before the write");
    expect(await cache.read("u1", "list", async () => "after the write")).toBe("after the write");
  });

  it("shared values (the model list) are kept for every user", async () => {
    const cache = await impl.create();
    const models = source(["m1"]);
    await cache.shared("models", 60_000, models.load);
    expect(await cache.shared("models", 60_000, models.load)).toEqual(["m1"]);
    expect(models.state.calls).toBe(1);
    // An empty (failed) listing is not kept.
    const failed = source<string[]>([]);
    const nonEmpty = (m: string[]) => m.length > 0;
    await cache.shared("other", 60_000, failed.load, nonEmpty);
    await cache.shared("other", 60_000, failed.load, nonEmpty);
    expect(failed.state.calls).toBe(2);
  });
});

describe("disabled history cache (HISTORY_CACHE=0)", () => {
  it("loads every time", async () => {
    const cache = createDisabledHistoryCache();
    const page = source("p");
    await cache.read("u1", "list", page.load);
    await cache.read("u1", "list", page.load);
    expect(page.state.calls).toBe(2);
  });
});

describe.skipIf(missing("redis"))("redis history cache across replicas", () => {
  const impl = redisCaches();
  afterEach(() => impl.cleanup());

  it("a page one replica loaded is served to the other from Redis, and a write on either is seen by the next read on both", async () => {
    const name = randomBytes(4).toString("hex");
    const a = await impl.create(name);
    const b = await impl.create(name);
    const db = source({ title: "first" });
    await a.read("u1", "list", db.load);
    expect(await b.read("u1", "list", db.load)).toEqual({ title: "first" });
    expect(db.state.calls).toBe(1);
    expect(b.stats().sharedHits).toBe(1);
    // Now in B's memory too.
    await b.read("u1", "list", db.load);
    expect(b.stats().localHits).toBe(1);

    db.state.value = { title: "renamed" };
    await a.invalidate("u1");
    // No waiting for pub/sub: the very next read on B sees the write.
    expect(await b.read("u1", "list", db.load)).toEqual({ title: "renamed" });
    expect(await a.read("u1", "list", db.load)).toEqual({ title: "renamed" });
  });

  it("Dates survive the trip through Redis", async () => {
    const name = randomBytes(4).toString("hex");
    const a = await impl.create(name);
    const b = await impl.create(name);
    const at = new Date("2026-01-02T03:04:05.678Z");
    await a.read("u1", "k", async () => ({ at }));
    const got = await b.read("u1", "k", async () => ({ at: new Date(0) }));
    expect(got.at).toBeInstanceOf(Date);
    expect(got.at.toISOString()).toBe(at.toISOString());
  });

  it("a write announced on the channel drops the user's pages from every replica's memory", async () => {
    const name = randomBytes(4).toString("hex");
    const a = await impl.create(name);
    const b = await impl.create(name);
    await b.read("u1", "list", async () => "old");
    await b.read("u2", "list", async () => "someone else's");
    expect(b.stats().localEntries).toBe(2);
    // B does nothing: only the announcement can free its memory.
    await a.invalidate("u1");
    await eventually(async () => (b.stats().localEntries === 1 ? true : undefined));
    expect(await b.read("u2", "list", async () => "reloaded")).toBe("someone else's");
  });
});

describe.skipIf(missing("redis"))("redis history cache when Redis is unreachable", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("reads from the database without errors, and a write made during the outage reaches the other replicas once Redis is back", async () => {
    const link = await redisBehindProxy(connectRedis);
    cleanups.push(() => link.close());
    const direct = await connectRedis(redisUrl()!);
    cleanups.push(() => direct.disconnect());
    const prefix = `test:hc-outage:${randomBytes(6).toString("hex")}:`;
    const cut = createRedisHistoryCache(link.client, { prefix });
    const healthy = createRedisHistoryCache(direct, { prefix });
    cleanups.push(
      () => cut.close(),
      () => healthy.close(),
    );

    await healthy.read("u1", "list", async () => "before");
    await link.cut();

    const db = source("from the database");
    expect(await cut.read("u1", "list", db.load)).toBe("from the database");
    expect(await cut.read("u1", "list", db.load)).toBe("from the database");
    expect(db.state.calls).toBe(2); // nothing cached while the generation is unknown
    await expect(cut.invalidate("u1")).resolves.toBeUndefined();
    // The healthy replica cannot know yet (the entry's time to live bounds this).
    expect(await healthy.read("u1", "list", async () => "after")).toBe("before");

    await link.restore();
    await waitFor(
      "the deferred invalidation to reach Redis",
      async () => (await healthy.read("u1", "list", async () => "after")) === "after",
    );
  });
});
