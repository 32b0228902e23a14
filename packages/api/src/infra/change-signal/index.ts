import type { Redis } from "ioredis";
import { createMemoryChangeSignal } from "./memory";
import { createRedisChangeSignal } from "./redis";
import type { ChangeSignal } from "./types";

export { createMemoryChangeSignal } from "./memory";
export { createRedisChangeSignal } from "./redis";
export type { ChangeSignal } from "./types";

export function createChangeSignal(redis: Redis | null, keyPrefix?: string): ChangeSignal {
  return redis ? createRedisChangeSignal(redis, { keyPrefix }) : createMemoryChangeSignal();
}
