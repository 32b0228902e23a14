import type { Redis } from "ioredis";
import superjson from "superjson";
import { LocalLayer } from "./local";
import {
  defaultHistoryCacheOptions,
  emptyStats,
  type HistoryCache,
  type HistoryCacheOptions,
} from "./types";

// A generation is raised to at least Redis's clock in microseconds: if a generation key
// expires or is evicted, the next one is still higher than any used before, so data keys
// of an old generation are never read again. Doubles are exact far beyond these numbers.
const RAISE = `
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next = math.max(kept + 1, now)
redis.call('SET', KEYS[1], next, 'PX', ARGV[1])
return next
`;
// The generation of a user with none yet (never wrote, or the key expired).
const START = `
local kept = redis.call('GET', KEYS[1])
if kept then return kept end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[1], now, 'PX', ARGV[1])
return now
`;

// Generation keys outlive the entries under them; they are tiny.
const GENERATION_TTL_MS = 24 * 60 * 60_000;

export interface RedisHistoryCacheOptions extends HistoryCacheOptions {
  /** Prefix of the cache's keys and its pub/sub channel. */
  prefix?: string;
  log?: (message: string) => void;
}

/**
 * Memory in front of Redis, shared by every replica. A read costs one small Redis round
 * trip (the user's generation), so a write on any replica is seen by the very next read
 * on every other; the page itself comes from memory, else from Redis, else from the
 * database. A write raises the generation and announces it on a channel, so every replica
 * drops the user's entries from memory at once instead of waiting for them to age out.
 *
 * Redis down: reads go to the database (no error reaches a user) and nothing is stored.
 * An invalidation that cannot reach Redis is remembered: this process skips the cache for
 * that user and raises the generation as soon as Redis is back.
 */
export function createRedisHistoryCache(
  redis: Redis,
  options: RedisHistoryCacheOptions = {},
): HistoryCache {
  const { maxLocalBytes, ttlMs } = { ...defaultHistoryCacheOptions, ...options };
  const prefix = options.prefix ?? "parley:hc:";
  const channel = `${prefix}invalidate`;
  const log = options.log ?? (() => {});
  const local = new LocalLayer({ maxBytes: maxLocalBytes, ttlMs });
  const stats = emptyStats();
  const pendingRaises = new Set<string>();
  const generationKey = (userId: string) => `${prefix}gen:${userId}`;
  const dataKey = (userId: string, generation: string, key: string) =>
    `${prefix}d:${userId}:${generation}:${key}`;

  // Its own connection: a subscribed connection can do nothing else.
  const subscriber = redis.duplicate();
  subscriber.on("error", () => {}); // the main client reports outages
  subscriber.on("ready", () => void subscriber.subscribe(channel).catch(() => {}));
  subscriber.on("message", (_channel: string, message: string) => {
    const [userId, generation] = message.split(" ");
    if (!userId || !generation || !/^\d+$/.test(generation)) return;
    local.dropUser(userId, BigInt(generation));
  });

  async function raise(userId: string) {
    const generation = String(await redis.eval(RAISE, 1, generationKey(userId), GENERATION_TTL_MS));
    local.dropUser(userId, BigInt(generation));
    await redis.publish(channel, `${userId} ${generation}`).catch(() => {});
  }

  const flushPending = async () => {
    for (const userId of [...pendingRaises]) {
      try {
        await raise(userId);
        pendingRaises.delete(userId);
      } catch {
        return; // still unreachable; the next "ready" tries again
      }
    }
  };
  const onReady = () => void flushPending();
  redis.on("ready", onReady);

  async function generationOf(userId: string): Promise<string> {
    const kept = await redis.get(generationKey(userId));
    if (kept !== null) return kept;
    return String(await redis.eval(START, 1, generationKey(userId), GENERATION_TTL_MS));
  }

  async function fromRedis(key: string): Promise<{ value: unknown; size: number } | null> {
    try {
      const raw = await redis.get(key);
      return raw === null ? null : { value: superjson.parse(raw), size: raw.length };
    } catch {
      return null; // unreachable or malformed: a miss
    }
  }

  function store(key: string, value: unknown, ttl: number): number {
    const raw = superjson.stringify(value);
    // A cache that cannot be written is just a colder cache.
    redis.set(key, raw, "PX", ttl).catch(() => {});
    return raw.length;
  }

  async function cached<T>(
    localKey: string,
    redisKey: string,
    ttl: number,
    load: () => Promise<T>,
    cacheable: (value: T) => boolean,
  ): Promise<T> {
    const hit = local.get(localKey);
    if (hit) {
      stats.localHits++;
      return hit.value as T;
    }
    const shared = await fromRedis(redisKey);
    if (shared) {
      stats.sharedHits++;
      local.set(localKey, shared.value, shared.size, ttl);
      return shared.value as T;
    }
    const value = await load();
    if (!cacheable(value)) {
      stats.bypassed++;
      return value;
    }
    stats.misses++;
    local.set(localKey, value, store(redisKey, value, ttl), ttl);
    return value;
  }

  return {
    async read(userId, key, load, cacheable = () => true) {
      if (pendingRaises.has(userId)) {
        stats.bypassed++;
        return load();
      }
      let generation: string;
      try {
        // Asked before the database is read: a write committed after this raises the
        // generation, so what this read stores is never served after that write.
        generation = await generationOf(userId);
      } catch {
        // Without Redis no replica can say whether another one wrote: the database can.
        stats.bypassed++;
        return load();
      }
      return cached(
        LocalLayer.key(userId, generation, key),
        dataKey(userId, generation, key),
        ttlMs,
        load,
        cacheable,
      );
    },
    async shared(key, entryTtlMs, load, cacheable = () => true) {
      return cached(
        LocalLayer.key("*", "0", key),
        `${prefix}s:${key}`,
        entryTtlMs,
        load,
        cacheable,
      );
    },
    async invalidate(userId) {
      local.dropUser(userId);
      try {
        await raise(userId);
      } catch (error) {
        if (!pendingRaises.size)
          log(`history cache: invalidations wait for Redis (${(error as Error).message})`);
        pendingRaises.add(userId);
      }
    },
    stats: () => ({ ...stats, localEntries: local.size }),
    async close() {
      redis.off("ready", onReady);
      subscriber.disconnect();
      local.clear();
    },
  };
}
