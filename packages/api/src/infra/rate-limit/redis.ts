import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { createMemoryRateLimiter } from "./memory";
import type { RateLimiter } from "./types";

// A sorted set of attempt times per key. Redis' own clock is used so replicas with skewed
// clocks still share one window. Returns { allowed, remaining, retryAfterMs }.
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

/**
 * Limits shared by every replica. While Redis is unreachable it falls back to per-process
 * limits, which still stop a brute force, instead of failing open or refusing everyone.
 */
export function createRedisRateLimiter(
  redis: Redis,
  options: { prefix?: string } = {},
): RateLimiter {
  const prefix = options.prefix ?? "parley:rl:";
  const fallback = createMemoryRateLimiter();
  return {
    async hit(key, rule) {
      try {
        const [allowed, remaining, retryAfterMs] = (await redis.eval(
          SLIDING_WINDOW,
          1,
          prefix + key,
          String(rule.windowSeconds * 1000),
          String(rule.limit),
          randomUUID(),
        )) as [number, number, number];
        return {
          allowed: allowed === 1,
          remaining,
          retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryAfterMs / 1000)),
        };
      } catch {
        return fallback.hit(key, rule);
      }
    },
    async reset(key) {
      await fallback.reset(key);
      await redis.del(prefix + key).catch(() => undefined);
    },
  };
}
