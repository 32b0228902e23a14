export { createMemoryStreamBus } from "./memory";
export { createRedisStreamBus, type RedisStreamBusOptions } from "./redis";
export { compareStreamIds, defaultStreamBusOptions } from "./types";
export type {
  FinalStatus,
  ReadOptions,
  StreamBus,
  StreamBusOptions,
  StreamEntry,
  StreamEvent,
  TokenUsage,
} from "./types";
