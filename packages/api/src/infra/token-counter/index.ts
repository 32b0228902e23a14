import type { Redis } from "ioredis";
import { createMemoryTokenCounter } from "./memory";
import { createRedisTokenCounter } from "./redis";
import type { DailyTokenCounter } from "./types";

export { createMemoryTokenCounter } from "./memory";
export { createRedisTokenCounter } from "./redis";
export type { DailyTokenCounter } from "./types";

/** Redis when the deployment has it (every replica sees one count), else in-process. */
export function createTokenCounter(
  redis: Redis | null,
  options: { keyPrefix?: string } = {},
): DailyTokenCounter {
  return redis
    ? createRedisTokenCounter(redis, { prefix: `${options.keyPrefix ?? "parley:"}tokens:` })
    : createMemoryTokenCounter();
}
