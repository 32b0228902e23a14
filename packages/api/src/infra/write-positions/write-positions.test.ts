import { randomBytes } from "node:crypto";
import { eventually, missing, redisUrl } from "@parley/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createRedis, waitForRedis } from "../redis";
import {
  createMemoryWritePositions,
  createRedisWritePositions,
  type WritePositions,
} from "./index";

type Implementation = {
  name: string;
  skip: string | false;
  create(): Promise<WritePositions>;
  cleanup(): Promise<void>;
};

const clients: ReturnType<typeof createRedis>[] = [];
const implementations: Implementation[] = [
  {
    name: "in-process",
    skip: false,
    create: async () => createMemoryWritePositions(),
    cleanup: async () => {},
  },
  {
    name: "redis",
    skip: missing("redis"),
    async create() {
      const redis = createRedis(redisUrl()!);
      clients.push(redis);
      await waitForRedis(redis);
      return createRedisWritePositions(redis, {
        prefix: `test:wal:${randomBytes(6).toString("hex")}:`,
      });
    },
    async cleanup() {
      for (const client of clients.splice(0)) client.disconnect();
    },
  },
];

// One contract, both implementations.
for (const impl of implementations) {
  describe.skipIf(impl.skip)(`write positions contract (${impl.name})`, () => {
    afterEach(() => impl.cleanup());

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
}

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
