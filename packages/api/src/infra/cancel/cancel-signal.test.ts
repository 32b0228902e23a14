import { randomBytes } from "node:crypto";
import { missing, redisUrl } from "@parley/testing";
import { describeContract, inProcess, onRedis } from "@parley/testing/contract";
import { describe, expect, it } from "vitest";
import { connectRedis, createRedis, waitForRedis } from "../redis";
import {
  createMemoryCancelSignal,
  createRedisCancelSignal,
  type CancelSignal,
  type CancelSignalOptions,
} from "./index";

/** Two signals over one backend, as two replicas would hold (the same object in-process). */
const signals = [
  inProcess(
    (options?: CancelSignalOptions) => {
      const signal = createMemoryCancelSignal(options);
      return { local: signal, remote: signal };
    },
    ({ local }) => local.close(),
  ),
  onRedis({
    name: "cancel",
    connect: connectRedis,
    create: async ({ client, prefix }, options?: CancelSignalOptions) => {
      const keyPrefix = prefix();
      const make = async () =>
        createRedisCancelSignal(await client(), { ...options, keyPrefix, pollMs: 100 });
      return { local: await make(), remote: await make() };
    },
    close: async ({ local, remote }) => {
      await local.close();
      await remote.close();
    },
  }),
];

const uniqueId = () => randomBytes(8).toString("hex");

/** Resolves with how many times `id` was cancelled, once it was, or 0 after `ms`. */
function cancelled(signal: CancelSignal, id: string, ms = 5_000) {
  return new Promise<number>((resolve) => {
    let calls = 0;
    const timer = setTimeout(() => resolve(calls), ms);
    signal.watch(id, () => {
      calls++;
      // Give a duplicate delivery (publish and poll) the chance to show up.
      setTimeout(() => {
        clearTimeout(timer);
        resolve(calls);
      }, 250);
    });
  });
}

describeContract("cancel signal contract", signals, (impl) => {
  it("a stop requested on one replica reaches the watcher on another, once", async () => {
    const { local, remote } = await impl.create();
    const id = uniqueId();
    const watching = cancelled(local, id);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the watcher is subscribed
    await remote.request(id);
    expect(await watching).toBe(1);
  });

  it("a stop requested before the generator watches still counts", async () => {
    const { local, remote } = await impl.create();
    const id = uniqueId();
    await remote.request(id);
    expect(await cancelled(local, id)).toBe(1);
  });

  it("only the requested id is stopped", async () => {
    const { local, remote } = await impl.create();
    const [stopped, running] = [uniqueId(), uniqueId()];
    const watchingRunning = cancelled(local, running, 400);
    const watchingStopped = cancelled(local, stopped);
    await remote.request(stopped);
    expect(await watchingStopped).toBe(1);
    expect(await watchingRunning).toBe(0);
  });

  it("an unwatched generator is not called", async () => {
    const { local, remote } = await impl.create();
    const id = uniqueId();
    let calls = 0;
    const unwatch = local.watch(id, () => calls++);
    unwatch();
    await remote.request(id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls).toBe(0);
  });

  it("forgets a request after rememberMs", async () => {
    const { local, remote } = await impl.create({ rememberMs: 50 });
    const id = uniqueId();
    await remote.request(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await cancelled(local, id, 400)).toBe(0);
  });
});

describe.skipIf(missing("redis"))("cancel signal when a published stop is missed (redis)", () => {
  it("the generator's poll of the stop key still catches it", async () => {
    const redis = createRedis(redisUrl()!);
    await waitForRedis(redis);
    const keyPrefix = `test:cancel:${randomBytes(6).toString("hex")}:`;
    const signal = createRedisCancelSignal(redis, { keyPrefix, pollMs: 100 });
    try {
      const id = uniqueId();
      const watching = cancelled(signal, id);
      // What a stop writes, minus the publish: as if the message was lost on the way.
      await redis.set(`${keyPrefix}cancel:${id}`, "1", "PX", 10_000);
      expect(await watching).toBe(1);
    } finally {
      await signal.close();
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
