import type { Redis } from "ioredis";
import type { WritePositions } from "./types";

// Positions are compared as numbers: Lua's doubles are exact up to 2^53 bytes of WAL (8 PiB).
const RAISE = `
local kept = redis.call('GET', KEYS[1])
if kept and tonumber(kept) >= tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Shared by every replica. Errors are thrown: the caller then reads from the primary. */
export function createRedisWritePositions(
  redis: Redis,
  options: { prefix?: string } = {},
): WritePositions {
  const prefix = options.prefix ?? "parley:wal:";
  return {
    async get(userId) {
      const value = await redis.get(`${prefix}${userId}`);
      return value === null ? null : BigInt(value);
    },
    async raise(userId, position, ttlMs) {
      await redis.eval(RAISE, 1, `${prefix}${userId}`, position.toString(), String(ttlMs));
    },
  };
}
