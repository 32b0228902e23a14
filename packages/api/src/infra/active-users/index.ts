import type { Redis } from "ioredis";
import { createMemoryActiveUserCounter } from "./memory";
import { createRedisActiveUserCounter, type RedisActiveUserCounterOptions } from "./redis";
import type { ActiveUserCounter } from "./types";

export type { ActiveUserCounter, ActiveUserCounterOptions } from "./types";
export { DEFAULT_ACTIVE_WINDOW_MS } from "./types";
export { createMemoryActiveUserCounter } from "./memory";
export { createRedisActiveUserCounter, type RedisActiveUserCounterOptions } from "./redis";

/** Redis when the deployment has it (several replicas share one count), else in-process. */
export function createActiveUserCounter(
  redis: Redis | null,
  options: RedisActiveUserCounterOptions = {},
): ActiveUserCounter {
  return redis
    ? createRedisActiveUserCounter(redis, options)
    : createMemoryActiveUserCounter(options);
}
