import { describeContract, inProcess, onRedis } from "@parley/testing/contract";
import { expect, it } from "vitest";
import { connectRedis } from "../redis";
import { createMemoryChangeSignal, createRedisChangeSignal, type ChangeSignal } from "./index";

/** Two signals over one backend, as two replicas would hold (the same object in-process). */
const signals = [
  inProcess(
    () => {
      const signal = createMemoryChangeSignal();
      return { local: signal, remote: signal };
    },
    ({ local }) => local.close(),
  ),
  onRedis({
    name: "changes",
    connect: connectRedis,
    create: async ({ client, prefix }) => {
      const keyPrefix = prefix();
      const make = async () => createRedisChangeSignal(await client(), { keyPrefix });
      return { local: await make(), remote: await make() };
    },
    close: async ({ local, remote }) => {
      await local.close();
      await remote.close();
    },
  }),
];

const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

function counter(signal: ChangeSignal, topic: string) {
  const seen = { calls: 0 };
  const stop = signal.listen(topic, () => seen.calls++);
  return { seen, stop };
}

describeContract("change signal contract", signals, (impl) => {
  it("a change told on one replica reaches listeners on another and on itself", async () => {
    const { local, remote } = await impl.create();
    const there = counter(local, "providers");
    const here = counter(remote, "providers");
    await settle(); // both are subscribed
    await remote.notify("providers");
    await expect.poll(() => there.seen.calls).toBe(1);
    await expect.poll(() => here.seen.calls).toBeGreaterThanOrEqual(1);
  });

  it("only the named topic's listeners are called, and not after they stop listening", async () => {
    const { local, remote } = await impl.create();
    const other = counter(local, "other");
    const stopped = counter(local, "providers");
    await settle();
    stopped.stop();
    await remote.notify("providers");
    await settle(300);
    expect(other.seen.calls).toBe(0);
    expect(stopped.seen.calls).toBe(0);
  });
});
