import {
  compareStreamIds,
  defaultStreamBusOptions,
  type StreamBus,
  type StreamBusOptions,
  type StreamEntry,
  type StreamEvent,
} from "./types";

interface MemoryStream {
  events: StreamEvent[];
  nextSeq: number;
  expiry: NodeJS.Timeout | null;
  /** Readers waiting for the next append. */
  waiters: Set<() => void>;
}

/** The single-process twin of the Redis stream bus: same contract, kept in memory. */
export function createMemoryStreamBus(options: StreamBusOptions = {}): StreamBus {
  const maxLength = options.maxLength ?? defaultStreamBusOptions.maxLength;
  const activeTtlMs = options.activeTtlMs ?? defaultStreamBusOptions.activeTtlMs;
  const streams = new Map<string, MemoryStream>();

  function scheduleExpiry(streamId: string, stream: MemoryStream, ttlMs: number) {
    if (stream.expiry) clearTimeout(stream.expiry);
    stream.expiry = setTimeout(() => {
      if (streams.get(streamId) === stream) streams.delete(streamId);
    }, ttlMs);
    stream.expiry.unref();
  }

  function after(
    stream: MemoryStream | undefined,
    afterId: string | null,
    count: number,
  ): StreamEvent[] {
    if (!stream) return [];
    const from =
      afterId === null ? 0 : stream.events.findIndex((e) => compareStreamIds(e.id, afterId) > 0);
    return from === -1 ? [] : stream.events.slice(from, from + count);
  }

  return {
    async append(streamId, entry: StreamEntry) {
      let stream = streams.get(streamId);
      if (!stream) {
        stream = { events: [], nextSeq: 1, expiry: null, waiters: new Set() };
        streams.set(streamId, stream);
      }
      const id = `${stream.nextSeq++}-0`;
      stream.events.push({ id, entry: structuredClone(entry) });
      if (stream.events.length > maxLength)
        stream.events.splice(0, stream.events.length - maxLength);
      scheduleExpiry(streamId, stream, activeTtlMs);
      for (const wake of stream.waiters) wake();
      stream.waiters.clear();
      return id;
    },

    async read(streamId, afterId, { waitMs = 0, signal, count = 1_000 } = {}) {
      const ready = after(streams.get(streamId), afterId, count);
      if (ready.length || waitMs <= 0 || signal?.aborted) return ready;
      let stream = streams.get(streamId);
      if (!stream) {
        // A reader may arrive before the first chunk: wait on an empty stream.
        stream = { events: [], nextSeq: 1, expiry: null, waiters: new Set() };
        streams.set(streamId, stream);
        scheduleExpiry(streamId, stream, activeTtlMs);
      }
      const waitingOn = stream;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          waitingOn.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener("abort", done, { once: true });
        waitingOn.waiters.add(done);
      });
      return signal?.aborted ? [] : after(streams.get(streamId), afterId, count);
    },

    async expire(streamId, ttlMs) {
      const stream = streams.get(streamId);
      if (stream) scheduleExpiry(streamId, stream, ttlMs);
    },

    async close() {
      for (const stream of streams.values()) {
        if (stream.expiry) clearTimeout(stream.expiry);
        for (const wake of stream.waiters) wake();
      }
      streams.clear();
    },
  };
}
