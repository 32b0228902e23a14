import { randomBytes } from "node:crypto";
import { missing, redisUrl } from "@parley/testing";
import { describeContract, inProcess, onRedis } from "@parley/testing/contract";
import { describe, expect, it } from "vitest";
import { connectRedis, createRedis, waitForRedis } from "../redis";
import { createMemoryTokenCounter, createRedisTokenCounter } from "./index";

const counters = [
  inProcess(() => createMemoryTokenCounter({ maxKeys: 3 })),
  onRedis({
    name: "tokens",
    connect: connectRedis,
    create: async ({ client, prefix }) =>
      createRedisTokenCounter(await client(), { prefix: prefix() }),
  }),
];

// One contract, both implementations: the embedded default must count like production.
describeContract("daily token counter contract", counters, (impl) => {
  it("an unknown day is null; adding to it keeps it unknown; seeding makes it known", async () => {
    const counter = await impl.create();
    expect(await counter.get("u1", "2026-12-01")).toBeNull();
    await counter.add("u1", "2026-12-01", 50);
    expect(await counter.get("u1", "2026-12-01")).toBeNull();
    expect(await counter.seed("u1", "2026-12-01", 120)).toBe(120);
    expect(await counter.get("u1", "2026-12-01")).toBe(120);
  });

  it("adds to a known day, and a second seed keeps the count already there", async () => {
    const counter = await impl.create();
    await counter.seed("u1", "2026-12-01", 10);
    await counter.add("u1", "2026-12-01", 5);
    await counter.add("u1", "2026-12-01", 7);
    expect(await counter.seed("u1", "2026-12-01", 0)).toBe(22);
    expect(await counter.get("u1", "2026-12-01")).toBe(22);
  });

  it("keeps users and days apart", async () => {
    const counter = await impl.create();
    await counter.seed("u1", "2026-12-01", 1);
    await counter.seed("u2", "2026-12-01", 2);
    await counter.seed("u1", "2026-12-02", 3);
    expect(await counter.get("u1", "2026-12-01")).toBe(1);
    expect(await counter.get("u2", "2026-12-01")).toBe(2);
    expect(await counter.get("u1", "2026-12-02")).toBe(3);
  });
});

describe("in-process token counter memory", () => {
  it("stays bounded, dropping old days first", async () => {
    const counter = createMemoryTokenCounter({ maxKeys: 2 });
    await counter.seed("u1", "2026-11-01", 1);
    await counter.seed("u2", "2026-12-01", 2);
    await counter.seed("u3", "2026-12-01", 3);
    expect(await counter.get("u1", "2026-11-01")).toBeNull();
    expect(await counter.get("u2", "2026-12-01")).toBe(2);
    expect(await counter.get("u3", "2026-12-01")).toBe(3);
  });
});

describe.skipIf(missing("redis"))("redis token counter across replicas", () => {
  it("two processes sharing Redis see one count", async () => {
    const prefix = `test:tokens-shared:${randomBytes(6).toString("hex")}:`;
    const [a, b] = [createRedis(redisUrl()!), createRedis(redisUrl()!)];
    try {
      await Promise.all([waitForRedis(a), waitForRedis(b)]);
      const one = createRedisTokenCounter(a, { prefix });
      const two = createRedisTokenCounter(b, { prefix });
      await one.seed("u", "2026-12-01", 0);
      await one.add("u", "2026-12-01", 40);
      await two.add("u", "2026-12-01", 2);
      expect(await two.get("u", "2026-12-01")).toBe(42);
      expect(await one.get("u", "2026-12-01")).toBe(42);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
