import { randomBytes } from "node:crypto";
import { missing, redisUrl } from "@parley/testing";
import { describeContract, inProcess, onRedis, redisBehindProxy } from "@parley/testing/contract";
import { afterAll, describe, expect, it } from "vitest";
import { connectRedis, createRedis, waitForRedis } from "../redis";
import { createMemoryRateLimiter, createRedisRateLimiter } from "./index";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const limiters = [
  inProcess(() => createMemoryRateLimiter()),
  onRedis({
    name: "rate-limit",
    connect: connectRedis,
    create: async ({ client, prefix }) =>
      createRedisRateLimiter(await client(), { prefix: prefix() }),
  }),
];

// One contract, both implementations: the embedded default must limit like production.
describeContract("rate limiter contract", limiters, (impl) => {
  it("allows exactly `limit` attempts in the window, counting down, then refuses", async () => {
    const limiter = await impl.create();
    const rule = { limit: 3, windowSeconds: 60 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.hit("k", rule));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[0]!.retryAfterSeconds).toBe(0);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("keeps keys apart", async () => {
    const limiter = await impl.create();
    const rule = { limit: 1, windowSeconds: 60 };
    expect((await limiter.hit("a", rule)).allowed).toBe(true);
    expect((await limiter.hit("a", rule)).allowed).toBe(false);
    expect((await limiter.hit("b", rule)).allowed).toBe(true);
  });

  it("reset forgets a key's attempts", async () => {
    const limiter = await impl.create();
    const rule = { limit: 1, windowSeconds: 60 };
    await limiter.hit("r", rule);
    expect((await limiter.hit("r", rule)).allowed).toBe(false);
    await limiter.reset("r");
    expect((await limiter.hit("r", rule)).allowed).toBe(true);
  });

  it("slides: attempts older than the window stop counting", async () => {
    const limiter = await impl.create();
    const rule = { limit: 2, windowSeconds: 1 };
    await limiter.hit("w", rule);
    await limiter.hit("w", rule);
    expect((await limiter.hit("w", rule)).allowed).toBe(false);
    await sleep(1_100);
    expect((await limiter.hit("w", rule)).allowed).toBe(true);
  });
});

describe.skipIf(missing("redis"))("redis rate limiter across replicas and outages", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("two processes sharing Redis share one budget", async () => {
    const prefix = `test:rate-limit-shared:${randomBytes(6).toString("hex")}:`;
    const [a, b] = [createRedis(redisUrl()!), createRedis(redisUrl()!)];
    cleanups.push(
      () => a.disconnect(),
      () => b.disconnect(),
    );
    await Promise.all([waitForRedis(a), waitForRedis(b)]);
    const rule = { limit: 2, windowSeconds: 60 };
    const one = createRedisRateLimiter(a, { prefix });
    const two = createRedisRateLimiter(b, { prefix });
    expect((await one.hit("shared", rule)).allowed).toBe(true);
    expect((await two.hit("shared", rule)).allowed).toBe(true);
    expect((await one.hit("shared", rule)).allowed).toBe(false);
  });

  it("keeps limiting in-process while Redis is unreachable", async () => {
    const link = await redisBehindProxy(connectRedis);
    cleanups.push(() => link.close());
    const limiter = createRedisRateLimiter(link.client, {
      prefix: `test:rate-limit-outage:${randomBytes(6).toString("hex")}:`,
    });
    await link.cut();
    const rule = { limit: 2, windowSeconds: 60 };
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await limiter.hit("down", rule)).allowed);
    expect(allowed).toEqual([true, true, false]);
  });
});
