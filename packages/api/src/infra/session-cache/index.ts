export { createMemorySessionCache } from "./memory";
export { createRedisSessionCache } from "./redis";
export {
  apiKeyKey,
  sessionKey,
  type CachedAccess,
  type CachedAccount,
  type SessionCache,
} from "./types";
