export { createMemoryCancelSignal } from "./memory";
export { createRedisCancelSignal, type RedisCancelSignalOptions } from "./redis";
export type { CancelSignal, CancelSignalOptions } from "./types";
