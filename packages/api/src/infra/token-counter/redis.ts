import type { Redis } from "ioredis";
import type { DailyTokenCounter } from "./types";

/** A day's count outlives the day by one, so a late reply still finds its day. */
const TTL_SECONDS = 2 * 86_400;

const SEED = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return tonumber(ARGV[1]) end
return tonumber(redis.call('GET', KEYS[1]))
`;

const ADD_IF_KNOWN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
`;

/** The counter every replica shares. Errors are thrown: the caller then asks Postgres. */
export function createRedisTokenCounter(
  redis: Redis,
  options: { prefix?: string } = {},
): DailyTokenCounter {
  const prefix = options.prefix ?? "parley:tokens:";
  const key = (userId: string, day: string) => `${prefix}${day}:${userId}`;
  return {
    async get(userId, day) {
      const value = await redis.get(key(userId, day));
      return value === null ? null : Number(value);
    },
    async seed(userId, day, tokens) {
      const kept = await redis.eval(SEED, 1, key(userId, day), String(tokens), String(TTL_SECONDS));
      return Number(kept);
    },
    async add(userId, day, tokens) {
      await redis.eval(ADD_IF_KNOWN, 1, key(userId, day), String(tokens));
    },
  };
}
