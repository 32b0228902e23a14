import type { Redis } from "ioredis";
import {
  compareStreamIds,
  defaultStreamBusOptions,
  type StreamBus,
  type StreamBusOptions,
  type StreamEntry,
  type StreamEvent,
} from "./types";

export interface RedisStreamBusOptions extends StreamBusOptions {
  /** Prefix of every key, so tests and deployments sharing a Redis never collide. */
  keyPrefix?: string;
  /** Longest single XREAD BLOCK; new readers interrupt it, so this only bounds recovery. */
  blockMs?: number;
}

type RawEntries = Array<[id: string, fields: string[]]>;

/**
 * The stream bus on Redis Streams: XADD with an approximate MAXLEN cap and a TTL, XRANGE for
 * what is already there, and XREAD BLOCK to wait. Blocking reads run on one dedicated
 * connection per process that waits on every watched stream at once, so a thousand open
 * subscriptions cost one connection, not a thousand.
 */
export function createRedisStreamBus(redis: Redis, options: RedisStreamBusOptions = {}): StreamBus {
  const prefix = options.keyPrefix ?? "parley:";
  const maxLength = options.maxLength ?? defaultStreamBusOptions.maxLength;
  const activeTtlMs = options.activeTtlMs ?? defaultStreamBusOptions.activeTtlMs;
  const keyOf = (streamId: string) => `${prefix}stream:${streamId}`;
  const reader = new MultiplexedReader(redis, options.blockMs ?? 2_000);

  return {
    async append(streamId, entry: StreamEntry) {
      const key = keyOf(streamId);
      const results = await redis
        .multi()
        .xadd(key, "MAXLEN", "~", String(maxLength), "*", "e", JSON.stringify(entry))
        .pexpire(key, activeTtlMs)
        .exec();
      const [error, id] = results?.[0] ?? [new Error("stream append was discarded"), null];
      if (error) throw error;
      return id as string;
    },

    async read(streamId, afterId, { waitMs = 0, signal, count = 1_000 } = {}) {
      const key = keyOf(streamId);
      const start = afterId === null ? "-" : `(${afterId}`;
      const ready = parseEntries(
        (await redis.xrange(key, start, "+", "COUNT", count)) as RawEntries,
      );
      if (ready.length || waitMs <= 0 || signal?.aborted) return ready;
      return reader.wait(key, afterId ?? "0-0", { waitMs, signal, count });
    },

    async expire(streamId, ttlMs) {
      await redis.pexpire(keyOf(streamId), ttlMs);
    },

    async close() {
      reader.close();
    },
  };
}

function parseEntries(raw: RawEntries): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const [id, fields] of raw) {
    const at = fields.indexOf("e");
    const json = at >= 0 ? fields[at + 1] : undefined;
    if (json) events.push({ id, entry: JSON.parse(json) as StreamEntry });
  }
  return events;
}

interface Waiter {
  afterId: string;
  count: number;
  deliver(events: StreamEvent[]): void;
}

/** One XREAD BLOCK over all streams that local readers wait on. */
class MultiplexedReader {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private connection: Redis | null = null;
  private connectionId: number | null = null;
  private running = false;
  private closed = false;
  /** Keys the XREAD in flight covers; a reader of any other key interrupts it. */
  private blockedOn = new Set<string>();
  private unblockQueued = false;

  constructor(
    private readonly redis: Redis,
    private readonly blockMs: number,
  ) {}

  wait(
    key: string,
    afterId: string,
    opts: { waitMs: number; signal?: AbortSignal; count: number },
  ) {
    return new Promise<StreamEvent[]>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const finish = (events: StreamEvent[]) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        waiters.delete(waiter);
        if (!waiters.size && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve(events);
      };
      const waiter: Waiter = { afterId, count: opts.count, deliver: finish };
      const onAbort = () => finish([]);
      const timer = setTimeout(() => finish([]), opts.waitMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      waiters.add(waiter);
      if (this.closed) return finish([]);
      if (this.running && !this.blockedOn.has(key)) this.queueUnblock();
      // run() turns every Redis failure into an empty read; it never rejects.
      void this.run();
    });
  }

  close() {
    this.closed = true;
    for (const set of this.waiters.values()) for (const waiter of [...set]) waiter.deliver([]);
    this.connection?.disconnect();
  }

  private blockingConnection(): Redis {
    if (!this.connection) {
      // Its own connection: a blocked XREAD would hold up every other command on a shared one.
      this.connection = this.redis.duplicate({
        commandTimeout: this.blockMs + 5_000,
        enableOfflineQueue: true,
      });
      this.connection.on("error", () => {}); // the shared client already reports connection errors
      this.connection.on("ready", () => (this.connectionId = null));
    }
    return this.connection;
  }

  /** Interrupts the XREAD in flight (once per tick), so it restarts with the new keys. The
   * UNBLOCK can race ahead of the XREAD reaching Redis; then it is tried again shortly. */
  private queueUnblock(attempt = 0) {
    if (this.unblockQueued) return;
    this.unblockQueued = true;
    setTimeout(
      () => {
        this.unblockQueued = false;
        if (this.closed || !this.running || !this.missingKeys() || this.connectionId === null)
          return;
        void this.redis
          .client("UNBLOCK", this.connectionId)
          .catch(() => 0)
          .then((unblocked) => {
            if (!unblocked && attempt < 50) this.queueUnblock(attempt + 1);
          });
      },
      attempt === 0 ? 0 : 10,
    );
  }

  /** True when some reader waits on a stream the XREAD in flight does not cover. */
  private missingKeys(): boolean {
    for (const key of this.waiters.keys()) if (!this.blockedOn.has(key)) return true;
    return false;
  }

  private async run() {
    if (this.running) return;
    this.running = true;
    const connection = this.blockingConnection();
    try {
      while (!this.closed && this.waiters.size) {
        let reply: Array<[string, RawEntries]> | null;
        try {
          this.connectionId ??= Number(await connection.client("ID"));
          const keys = [...this.waiters.keys()];
          if (!keys.length) break;
          const ids = keys.map((key) => oldestPosition(this.waiters.get(key)!));
          this.blockedOn = new Set(keys);
          reply = (await connection.xread(
            "COUNT",
            1_000,
            "BLOCK",
            this.blockMs,
            "STREAMS",
            ...keys,
            ...ids,
          )) as Array<[string, RawEntries]> | null;
        } catch {
          // Redis is down or restarting: readers time out and fall back to the database.
          this.blockedOn.clear();
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        this.blockedOn.clear();
        for (const [key, raw] of reply ?? []) this.deliver(key, parseEntries(raw));
      }
    } finally {
      this.running = false;
    }
  }

  private deliver(key: string, events: StreamEvent[]) {
    for (const waiter of [...(this.waiters.get(key) ?? [])]) {
      const fresh = events
        .filter((e) => compareStreamIds(e.id, waiter.afterId) > 0)
        .slice(0, waiter.count);
      if (fresh.length) waiter.deliver(fresh);
    }
  }
}

function oldestPosition(waiters: Set<Waiter>): string {
  let oldest: string | null = null;
  for (const { afterId } of waiters)
    if (oldest === null || compareStreamIds(afterId, oldest) < 0) oldest = afterId;
  return oldest ?? "0-0";
}
