import type { Redis } from "ioredis";
import { createMemoryWritePositions } from "./memory";
import { createRedisWritePositions } from "./redis";
import type { WritePositions } from "./types";

export { createMemoryWritePositions } from "./memory";
export { createRedisWritePositions } from "./redis";
export type { WritePositions } from "./types";

/** Redis when the deployment has it (a write on one replica is known to all), else in-process. */
export function createWritePositions(
  redis: Redis | null,
  options: { keyPrefix?: string } = {},
): WritePositions {
  return redis
    ? createRedisWritePositions(redis, { prefix: `${options.keyPrefix ?? "parley:"}wal:` })
    : createMemoryWritePositions();
}
