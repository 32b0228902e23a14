import type { AppDeps } from "../../core/context";

/** What /v1 reads of AppDeps (service.ts and the stored history in history.ts). */
export type OpenAIDeps = Pick<
  AppDeps,
  "db" | "chat" | "files" | "rateLimiter" | "usage" | "reads" | "historyCache"
>;
