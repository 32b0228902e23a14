import { randomBytes } from "node:crypto";
import { describeContract, inProcess, onRedis } from "@parley/testing/contract";
import { expect, it } from "vitest";
import { connectRedis } from "../redis";
import {
  createMemoryStreamBus,
  createRedisStreamBus,
  type StreamBusOptions,
  type StreamEntry,
} from "./index";

/** Two buses over one backend, as two replicas would hold (the same object in-process). */
const buses = [
  inProcess(
    (options?: StreamBusOptions) => {
      const bus = createMemoryStreamBus(options);
      return { bus, peer: bus };
    },
    ({ bus }) => bus.close(),
  ),
  onRedis({
    name: "bus",
    connect: connectRedis,
    create: async ({ client, prefix }, options?: StreamBusOptions) => {
      const keyPrefix = prefix();
      const make = async () =>
        createRedisStreamBus(await client(), { ...options, keyPrefix, blockMs: 1_000 });
      return { bus: await make(), peer: await make() };
    },
    close: async ({ bus, peer }) => {
      await bus.close();
      await peer.close();
    },
  }),
];

const delta = (text: string, offset: number): StreamEntry => ({ kind: "delta", text, offset });
const texts = (events: Array<{ entry: StreamEntry }>) =>
  events.map((e) => (e.entry.kind === "delta" ? e.entry.text : `<${e.entry.status}>`));
const uniqueId = () => randomBytes(8).toString("hex");

describeContract("stream bus contract", buses, (impl) => {
  it("reads appended entries in order, from the start or after an id", async () => {
    const { bus } = await impl.create();
    const id = uniqueId();
    const first = await bus.append(id, delta("Hello", 0));
    await bus.append(id, delta(" world", 5));
    await bus.append(id, {
      kind: "final",
      status: "complete",
      length: 11,
      usage: null,
      model: "m",
      error: null,
    });
    expect(texts(await bus.read(id, null))).toEqual(["Hello", " world", "<complete>"]);
    expect(texts(await bus.read(id, first))).toEqual([" world", "<complete>"]);
  });

  it("returns nothing for an unknown stream, or after the last entry", async () => {
    const { bus } = await impl.create();
    const id = uniqueId();
    expect(await bus.read(id, null)).toEqual([]);
    const last = await bus.append(id, delta("x", 0));
    expect(await bus.read(id, last)).toEqual([]);
  });

  it("wakes a waiting reader on another replica when an entry is appended", async () => {
    const { bus, peer } = await impl.create();
    const id = uniqueId();
    const first = await bus.append(id, delta("a", 0));
    const waiting = peer.read(id, first, { waitMs: 10_000 });
    await bus.append(id, delta("b", 1));
    expect(texts(await waiting)).toEqual(["b"]);
  });

  it("wakes readers waiting on a stream that has no entries yet", async () => {
    const { bus, peer } = await impl.create();
    const id = uniqueId();
    const waiting = peer.read(id, null, { waitMs: 10_000 });
    await bus.append(id, delta("first", 0));
    expect(texts(await waiting)).toEqual(["first"]);
  });

  it("serves many readers of different streams at once", async () => {
    const { bus, peer } = await impl.create();
    const ids = Array.from({ length: 20 }, uniqueId);
    const waiting = ids.map((id) => peer.read(id, null, { waitMs: 10_000 }));
    await Promise.all(ids.map((id, i) => bus.append(id, delta(`reply ${i}`, 0))));
    expect((await Promise.all(waiting)).map(texts)).toEqual(ids.map((_, i) => [`reply ${i}`]));
  });

  it("gives up waiting after waitMs, or when aborted", async () => {
    const { bus } = await impl.create();
    expect(await bus.read(uniqueId(), null, { waitMs: 50 })).toEqual([]);
    const controller = new AbortController();
    const waiting = bus.read(uniqueId(), null, { waitMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toEqual([]);
  });

  it("caps a stream, dropping its oldest entries", async () => {
    const { bus } = await impl.create({ maxLength: 10 });
    const id = uniqueId();
    // Redis trims in whole nodes (MAXLEN ~), so write well past the cap.
    for (let i = 0; i < 500; i++) await bus.append(id, delta(`${i} `, i));
    const kept = await bus.read(id, null, { count: 1_000 });
    expect(kept.length).toBeLessThan(500);
    expect(texts(kept).at(-1)).toBe("499 ");
  });

  it("drops a stream once its expiry passes", async () => {
    const { bus } = await impl.create();
    const id = uniqueId();
    await bus.append(id, delta("soon gone", 0));
    await bus.expire(id, 30);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await bus.read(id, null)).toEqual([]);
  });

  it("expires a stream nobody finished after its active lifetime", async () => {
    const { bus } = await impl.create({ activeTtlMs: 30 });
    const id = uniqueId();
    await bus.append(id, delta("abandoned", 0));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await bus.read(id, null)).toEqual([]);
  });

  it("limits how many entries one read returns", async () => {
    const { bus } = await impl.create();
    const id = uniqueId();
    for (let i = 0; i < 5; i++) await bus.append(id, delta(String(i), i));
    const page = await bus.read(id, null, { count: 2 });
    expect(texts(page)).toEqual(["0", "1"]);
    expect(texts(await bus.read(id, page[1]!.id, { count: 10 }))).toEqual(["2", "3", "4"]);
  });
});
