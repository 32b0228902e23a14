import type { Redis } from "ioredis";
import {
  DEFAULT_ACTIVE_WINDOW_MS,
  type ActiveUserCounter,
  type ActiveUserCounterOptions,
} from "./types";

export interface RedisActiveUserCounterOptions extends ActiveUserCounterOptions {
  /** Prefix of the one key this counter uses; tests pass a unique one. */
  keyPrefix?: string;
  /**
   * A user already written within this interval is not written again: a busy client
   * makes one Redis write per interval instead of one per request. A user may therefore
   * leave the count up to this much before the window ends.
   */
  refreshMs?: number;
}

/**
 * One sorted set shared by every replica: member = user id, score = last seen (ms). The
 * count is ZCOUNT over the window, so it is exact and the same from any replica; entries
 * older than the window are trimmed on each write and the key expires when nobody is active.
 */
export function createRedisActiveUserCounter(
  redis: Redis,
  options: RedisActiveUserCounterOptions = {},
): ActiveUserCounter {
  const windowMs = options.windowMs ?? DEFAULT_ACTIVE_WINDOW_MS;
  const refreshMs = options.refreshMs ?? 10_000;
  const now = options.now ?? Date.now;
  const key = `${options.keyPrefix ?? "parley:"}active-users`;
  const writtenAt = new Map<string, number>();
  let lastSweep = now();

  const forgetStaleWrites = (at: number) => {
    if (at - lastSweep < refreshMs) return;
    lastSweep = at;
    for (const [userId, when] of writtenAt) if (at - when >= refreshMs) writtenAt.delete(userId);
  };

  return {
    async record(userId) {
      const at = now();
      forgetStaleWrites(at);
      const previous = writtenAt.get(userId);
      if (previous !== undefined && at - previous < refreshMs) return;
      writtenAt.set(userId, at);
      try {
        await redis
          .multi()
          // GT: a replica with a slightly slow clock never moves a user back in time.
          .zadd(key, "GT", at, userId)
          .zremrangebyscore(key, "-inf", at - windowMs)
          .pexpire(key, windowMs)
          .exec();
      } catch (error) {
        // Not written: let the next request try again instead of waiting out refreshMs.
        writtenAt.delete(userId);
        throw error;
      }
    },
    async count() {
      return redis.zcount(key, `(${now() - windowMs}`, "+inf");
    },
  };
}
