import { eventually } from "@parley/testing";
import { describeContract, inProcess, onRedis } from "@parley/testing/contract";
import { describe, expect, it } from "vitest";
import { connectRedis } from "../redis";
import { createMemoryWritePositions, createRedisWritePositions } from "./index";

const implementations = [
  inProcess(() => createMemoryWritePositions()),
  onRedis({
    name: "wal",
    connect: connectRedis,
    create: async ({ client, prefix }) =>
      createRedisWritePositions(await client(), { prefix: prefix() }),
  }),
];

// One contract, both implementations.
describeContract("write positions contract", implementations, (impl) => {
  it("unknown users have none; a raise is kept per user", async () => {
    const positions = await impl.create();
    expect(await positions.get("u1")).toBeNull();
    await positions.raise("u1", 0x16_b374_d848n, 60_000);
    expect(await positions.get("u1")).toBe(0x16_b374_d848n);
    expect(await positions.get("u2")).toBeNull();
  });

  it("never goes back: a late report of an earlier write keeps the later one", async () => {
    const positions = await impl.create();
    await positions.raise("u1", 500n, 60_000);
    await positions.raise("u1", 200n, 60_000);
    expect(await positions.get("u1")).toBe(500n);
    await positions.raise("u1", 900n, 60_000);
    expect(await positions.get("u1")).toBe(900n);
  });

  it("forgets a position after its time to live", async () => {
    const positions = await impl.create();
    await positions.raise("u1", 7n, 50);
    await eventually(async () => ((await positions.get("u1")) === null ? true : undefined));
  });
});

describe("in-process write positions", () => {
  it("stay bounded, dropping the least recently written user", async () => {
    const positions = createMemoryWritePositions({ maxEntries: 2 });
    await positions.raise("a", 1n, 60_000);
    await positions.raise("b", 2n, 60_000);
    await positions.raise("a", 3n, 60_000);
    await positions.raise("c", 4n, 60_000);
    expect(await positions.get("b")).toBeNull();
    expect(await positions.get("a")).toBe(3n);
    expect(await positions.get("c")).toBe(4n);
  });
});
