/**
 * What authentication remembers about a live credential so most requests skip Postgres.
 * Revocation deletes the entry, so a revoked session fails on its very next request.
 */
export interface CachedAccess {
  userId: string;
  role: "user" | "admin";
  /** Epoch milliseconds after which the credential is no longer valid. */
  expiresAt: number;
  /** The account as auth.me shows it, so a cache hit needs no Postgres read. Every change
   * to these fields, the role or the disabled flag forgets the user's entries. */
  account: CachedAccount;
  /** For an API key's entry: the key and what it may do. An API key entry without it (cached
   * by an older version) counts as a miss, so scopes are always known. */
  apiKey?: { id: string; scopes: string[] };
  /** The admin's daily token quota override (null: QUOTA_TOKENS_PER_DAY applies), so the
   * quota check before a model call reads no Postgres. Setting a quota forgets the user's
   * entries; an entry without it (an older version's) makes the check read Postgres. */
  quotaOverride?: number | null;
}

export interface CachedAccount {
  username: string;
  email: string;
  /** Epoch milliseconds. */
  createdAt: number;
  disabled: boolean;
}

export interface SessionCache {
  /** The cached entry, or null on a miss or when the cache is unreachable (callers then ask
   * Postgres). Never throws. */
  get(key: string): Promise<CachedAccess | null>;
  /** Best effort; never throws. */
  set(key: string, entry: CachedAccess, ttlSeconds: number): Promise<void>;
  /** Forgets entries at once. Never throws: an implementation that cannot reach its store
   * must stop serving those keys itself and retry the delete later. */
  delete(keys: string[]): Promise<void>;
}

/** Cache keys: one namespace for sessions (by id), one for API keys (by key hash). */
export const sessionKey = (sessionId: string) => `s:${sessionId}`;
export const apiKeyKey = (keyHash: string) => `k:${keyHash}`;
