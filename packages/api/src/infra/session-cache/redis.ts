import type { Redis } from "ioredis";
import type { CachedAccess, SessionCache } from "./types";

/**
 * Session cache shared by every API replica. Reads that fail (Redis down) count as misses,
 * so authentication falls back to Postgres. A delete that fails is remembered: this process
 * stops trusting those keys at once and retries the delete when Redis is back, so a session
 * revoked during an outage is not revived from a stale entry afterwards.
 */
export function createRedisSessionCache(
  redis: Redis,
  options: { prefix?: string } = {},
): SessionCache {
  const prefix = options.prefix ?? "parley:auth:";
  const pendingDeletes = new Set<string>();

  const flushPending = async () => {
    if (!pendingDeletes.size) return;
    const keys = [...pendingDeletes];
    try {
      await redis.del(...keys.map((k) => prefix + k));
      for (const key of keys) pendingDeletes.delete(key);
    } catch {
      // Still unreachable; the next "ready" event tries again.
    }
  };
  redis.on("ready", () => void flushPending());

  return {
    async get(key) {
      if (pendingDeletes.has(key)) return null;
      try {
        const raw = await redis.get(prefix + key);
        return raw ? parseEntry(raw) : null;
      } catch {
        return null;
      }
    },
    async set(key, entry, ttlSeconds) {
      if (pendingDeletes.has(key)) return;
      try {
        await redis.set(
          prefix + key,
          JSON.stringify(entry),
          "EX",
          Math.max(1, Math.ceil(ttlSeconds)),
        );
      } catch {
        // A cache that cannot be written is just a colder cache.
      }
    },
    async delete(keys) {
      if (!keys.length) return;
      try {
        await redis.del(...keys.map((k) => prefix + k));
      } catch {
        for (const key of keys) pendingDeletes.add(key);
      }
    },
  };
}

function parseEntry(raw: string): CachedAccess | null {
  try {
    const value = JSON.parse(raw) as Partial<CachedAccess>;
    const account = value.account;
    if (
      typeof value.userId === "string" &&
      (value.role === "user" || value.role === "admin") &&
      typeof value.expiresAt === "number" &&
      typeof account?.username === "string" &&
      typeof account.email === "string" &&
      typeof account.createdAt === "number" &&
      typeof account.disabled === "boolean"
    ) {
      return {
        userId: value.userId,
        role: value.role,
        expiresAt: value.expiresAt,
        account: {
          username: account.username,
          email: account.email,
          createdAt: account.createdAt,
          disabled: account.disabled,
        },
        ...(typeof value.apiKey?.id === "string" && Array.isArray(value.apiKey.scopes)
          ? {
              apiKey: {
                id: value.apiKey.id,
                scopes: value.apiKey.scopes.filter((s): s is string => typeof s === "string"),
              },
            }
          : {}),
        ...(value.quotaOverride === null || typeof value.quotaOverride === "number"
          ? { quotaOverride: value.quotaOverride }
          : {}),
      };
    }
  } catch {
    // A malformed entry is treated as a miss.
  }
  return null;
}
