import { randomBytes } from "node:crypto";
import { missing, redisUrl } from "@parley/testing";
import {
  describeContract,
  inProcess,
  onRedis,
  type Implementation,
} from "@parley/testing/contract";
import { afterEach, describe, expect, it } from "vitest";
import { connectRedis, createRedis, waitForRedis } from "../redis";
import {
  createMemoryActiveUserCounter,
  createRedisActiveUserCounter,
  type ActiveUserCounter,
} from "./index";

const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;

/** A hand-moved clock shared by a test and the counters it builds. */
function manualClock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

type Clock = ReturnType<typeof manualClock>;

/** Counters over fresh state; counters built from the same `shared` name see each other. */
const redisCounters = () =>
  onRedis({
    name: "active-users",
    connect: connectRedis,
    create: async ({ client, prefix }, clock: Clock, shared?: string) =>
      createRedisActiveUserCounter(await client(), {
        windowMs: WINDOW,
        now: clock.now,
        keyPrefix: prefix(shared),
      }),
  });
const counters: Array<Implementation<ActiveUserCounter, [Clock, string?]>> = [
  inProcess((clock: Clock) => createMemoryActiveUserCounter({ windowMs: WINDOW, now: clock.now })),
  redisCounters(),
];

// One contract, both implementations: the embedded default must count like production.
describeContract("active-user counter contract", counters, (impl) => {
  it("counts nobody before any request", async () => {
    const counter = await impl.create(manualClock());
    expect(await counter.count()).toBe(0);
  });

  it("counts distinct users, not requests", async () => {
    const clock = manualClock();
    const counter = await impl.create(clock);
    for (const userId of ["alice", "bob", "alice", "carol", "bob"]) {
      await counter.record(userId);
      clock.advance(1_000);
    }
    expect(await counter.count()).toBe(3);
  });

  it("counts a burst of requests from one user once", async () => {
    const clock = manualClock();
    const counter = await impl.create(clock);
    for (let i = 0; i < 50; i++) {
      await counter.record("alice");
      clock.advance(10);
    }
    expect(await counter.count()).toBe(1);
  });

  it("drops a user once the window has passed since their last request", async () => {
    const clock = manualClock();
    const counter = await impl.create(clock);
    await counter.record("alice");
    clock.advance(2 * MINUTE);
    await counter.record("bob");
    clock.advance(WINDOW - 2 * MINUTE - 1);
    expect(await counter.count()).toBe(2);
    clock.advance(2);
    expect(await counter.count()).toBe(1);
    clock.advance(2 * MINUTE);
    expect(await counter.count()).toBe(0);
  });

  it("keeps a user who comes back within the window", async () => {
    const clock = manualClock();
    const counter = await impl.create(clock);
    await counter.record("alice");
    clock.advance(4 * MINUTE);
    await counter.record("alice");
    clock.advance(4 * MINUTE);
    expect(await counter.count()).toBe(1);
    clock.advance(2 * MINUTE);
    expect(await counter.count()).toBe(0);
    await counter.record("alice");
    expect(await counter.count()).toBe(1);
  });
});

describe.skipIf(missing("redis"))("active-user counter across replicas (redis)", () => {
  const impl = redisCounters();
  afterEach(() => impl.cleanup());

  it("gives every replica the same distinct count", async () => {
    const clock = manualClock();
    const shared = randomBytes(6).toString("hex");
    const replicaA = await impl.create(clock, shared);
    const replicaB = await impl.create(clock, shared);
    await replicaA.record("alice");
    await replicaB.record("bob");
    await replicaB.record("alice");
    expect(await replicaA.count()).toBe(2);
    expect(await replicaB.count()).toBe(2);
  });

  it("writes a busy user at most once per refresh interval", async () => {
    const clock = manualClock();
    const redis = createRedis(redisUrl()!);
    await waitForRedis(redis);
    const keyPrefix = `test:active-users:${randomBytes(6).toString("hex")}:`;
    try {
      const counter = createRedisActiveUserCounter(redis, {
        windowMs: WINDOW,
        refreshMs: 10_000,
        now: clock.now,
        keyPrefix,
      });
      const firstSeen = clock.now();
      await counter.record("alice");
      clock.advance(5_000);
      await counter.record("alice");
      expect(Number(await redis.zscore(`${keyPrefix}active-users`, "alice"))).toBe(firstSeen);
      clock.advance(5_000);
      await counter.record("alice");
      expect(Number(await redis.zscore(`${keyPrefix}active-users`, "alice"))).toBe(
        firstSeen + 10_000,
      );
    } finally {
      await redis.del(`${keyPrefix}active-users`);
      redis.disconnect();
    }
  });
});
