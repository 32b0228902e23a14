import { auth as q } from "@parley/db";
import {
  API_KEY_SCOPES,
  type ApiKeyScope,
  type AppDeps,
  type AuthUser,
  type RequestMeta,
} from "../context";
import { apiKeyKey, sessionKey, type CachedAccess } from "../../infra/session-cache";
import { verifyAccessToken } from "./jwt";
import { hashToken, looksLikeApiKey, userOfCredential } from "./tokens";

/** How long a live credential may be served from the cache. Revocation deletes entries at
 * once; the TTL only bounds staleness if a delete could not reach Redis. */
const CACHE_TTL_SECONDS = 300;
/** lastUsedAt is refreshed at most this often, and only on a cache miss, so the hot path
 * never writes to Postgres. */
const TOUCH_AFTER_MS = 5 * 60 * 1000;
const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * Resolves the caller from `Authorization: Bearer <credential>`: a personal API key (told
 * apart by its prefix) or a JWT access token. Every request checks that the session or key
 * is still live (session cache, then Postgres), so logout, revocation and disabling act on
 * the next call. Anything invalid resolves to null: protected procedures then answer
 * UNAUTHORIZED. Errors are thrown as they are; createRequestContext converts them.
 */
export async function authenticateRequest(
  deps: AppDeps,
  req: RequestMeta,
): Promise<AuthUser | null> {
  const header = req.headers.get("authorization");
  if (!header || header.length > MAX_CREDENTIAL_LENGTH) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const credential = match?.[1];
  if (!credential) return null;
  return looksLikeApiKey(credential)
    ? authenticateApiKey(deps, credential)
    : authenticateAccessToken(deps, credential);
}

async function authenticateAccessToken(deps: AppDeps, token: string): Promise<AuthUser | null> {
  const claims = verifyAccessToken(deps.auth.config, token);
  if (!claims) return null;
  const key = sessionKey(claims.sessionId);
  const cached = await deps.sessionCache.get(key);
  if (cached) {
    return cached.userId === claims.userId && isLive(cached)
      ? fromEntry(cached, claims.sessionId)
      : null;
  }

  const session = await q.findSessionById(deps.db, {
    userId: claims.userId,
    id: claims.sessionId,
  });
  if (!session) return null;
  if (session.expiresAt <= new Date() || session.user.disabledAt) return null;
  const entry = cacheEntry(session.user, session.expiresAt.getTime());
  await deps.sessionCache.set(key, entry, ttlUntil(entry.expiresAt));
  if (Date.now() - session.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
    q.touchSession(deps.db, { userId: session.userId, id: session.id }).catch(() => undefined);
  }
  // The role comes from the database (or the entry that changes forget), not the token, so
  // a role change applies at once.
  return fromEntry(entry, session.id);
}

type AccessUser = NonNullable<Awaited<ReturnType<typeof q.findSessionById>>>["user"];

function cacheEntry(user: AccessUser, expiresAt: number): CachedAccess {
  return {
    userId: user.id,
    role: user.role,
    expiresAt,
    quotaOverride: user.quota?.tokensPerDay ?? null,
    account: {
      username: user.username,
      email: user.email,
      createdAt: user.createdAt.getTime(),
      disabled: user.disabledAt !== null,
    },
  };
}

const isLive = (entry: CachedAccess) => entry.expiresAt > Date.now() && !entry.account.disabled;

function fromEntry(entry: CachedAccess, sessionId: string | null): AuthUser {
  const { username, email, createdAt } = entry.account;
  return {
    id: entry.userId,
    role: entry.role,
    sessionId,
    account: { username, email, createdAt: new Date(createdAt) },
    apiKey: entry.apiKey
      ? { id: entry.apiKey.id, scopes: entry.apiKey.scopes.filter(isScope) }
      : null,
    ...(entry.quotaOverride !== undefined && { quotaOverride: entry.quotaOverride }),
  };
}

const isScope = (s: string): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s);

async function authenticateApiKey(deps: AppDeps, secret: string): Promise<AuthUser | null> {
  const keyHash = hashToken(secret);
  const key = apiKeyKey(keyHash);
  const cached = await deps.sessionCache.get(key);
  if (cached?.apiKey) return isLive(cached) ? fromEntry(cached, null) : null;

  // A key names its user; one issued before keys did is found by its hash alone.
  const userId = userOfCredential(secret);
  const apiKey = userId
    ? await q.findApiKeyByHash(deps.db, { userId, keyHash })
    : await q.findLegacyApiKeyByHash(deps.db, keyHash);
  if (!apiKey || apiKey.revokedAt || apiKey.user.disabledAt) return null;
  const now = Date.now();
  if (apiKey.expiresAt && apiKey.expiresAt.getTime() <= now) return null;
  // The entry never outlives the key: an expired key fails on its first call after expiry.
  const expiresAt = Math.min(
    now + CACHE_TTL_SECONDS * 1000,
    apiKey.expiresAt?.getTime() ?? Infinity,
  );
  const entry: CachedAccess = {
    ...cacheEntry(apiKey.user, expiresAt),
    // A row from before scopes existed has none stored: it gets the default.
    apiKey: { id: apiKey.id, scopes: apiKey.scopes ?? ["chat", "read"] },
  };
  await deps.sessionCache.set(key, entry, ttlUntil(expiresAt));
  if (!apiKey.lastUsedAt || Date.now() - apiKey.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
    q.touchApiKey(deps.db, { userId: apiKey.userId, id: apiKey.id }).catch(() => undefined);
  }
  return fromEntry(entry, null);
}

function ttlUntil(expiresAtMs: number): number {
  return Math.max(1, Math.min(CACHE_TTL_SECONDS, Math.floor((expiresAtMs - Date.now()) / 1000)));
}
