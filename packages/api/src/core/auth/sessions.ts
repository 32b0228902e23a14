import { auth as q, users } from "@parley/db";
import { recordAudit } from "../audit";
import type { AppDeps, RequestMeta } from "../context";
import { DomainError } from "../errors";
import { apiKeyKey, sessionKey } from "../../infra/session-cache";
import { signAccessToken } from "./jwt";
import { generateSessionToken, hashToken, sessionIdFromToken, userOfCredential } from "./tokens";

/**
 * Sessions the lucia-auth.com way. The refresh token is the session token: 256 random bits,
 * only its SHA-256 stored. Every refresh rotates it; the old hash moves to rotated_tokens,
 * and presenting a rotated token again means it was copied, so the session is revoked.
 *
 * Grace window: two browser tabs sharing the cookie may refresh at the same moment. The
 * loser presents a token its twin just rotated. A *cookie* presented within
 * `refreshGraceSeconds` of its rotation gets a new access token but no new refresh token
 * (the browser already holds the winner's cookie). Tokens sent in the body (desktop, tools)
 * get no grace: one client holds one token, so a reused one is always a copy.
 *
 * The token names its user (`<secret>.<user id>`, see tokens.ts), and every lookup filters
 * by that user id and the hash, so on a sharded database it reaches only the user's shard.
 * A token without one (issued before tokens named their user) is refused as expired: its
 * holder signs in again, once.
 */

export interface IssuedTokens {
  sessionId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** Null when a grace-window refresh issued only an access token. */
  refreshToken: string | null;
}

/** Sessions kept per user; signing in beyond this ends the least recently used one. */
export const MAX_SESSIONS_PER_USER = 50;
const USER_AGENT_MAX = 512;
const IP_MAX = 64;

function requestOrigin(req: RequestMeta) {
  return {
    userAgent: req.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
    ip: req.ip.slice(0, IP_MAX) || null,
  };
}

export async function startSession(
  deps: Pick<AppDeps, "db" | "auth" | "sessionCache">,
  user: { id: string; role: "user" | "admin" },
  req: RequestMeta,
): Promise<IssuedTokens> {
  const { config } = deps.auth;
  const token = generateSessionToken(user.id);
  const session = await q.createSession(deps.db, {
    id: sessionIdFromToken(token),
    userId: user.id,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000),
    ...requestOrigin(req),
  });
  // A script that signs in in a loop must not grow the table without bound.
  const pruned = await q.pruneUserSessions(deps.db, user.id, MAX_SESSIONS_PER_USER);
  await forgetCredentials(deps, { sessionIds: pruned });
  const access = await signAccessToken(config, {
    userId: user.id,
    sessionId: session.id,
    role: user.role,
  });
  return {
    sessionId: session.id,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: token,
  };
}

const sessionExpired = () =>
  new DomainError("UNAUTHORIZED", "Session expired or signed out; sign in again");

/** The `details.reason` that tells a client its account was disabled, not its session
 * ended: it says so instead of asking for a sign-in that would be refused too. */
export const ACCOUNT_DISABLED = "ACCOUNT_DISABLED";

export const accountDisabled = (code: "UNAUTHORIZED" | "FORBIDDEN" = "UNAUTHORIZED") =>
  new DomainError(code, "This account has been disabled", { reason: ACCOUNT_DISABLED });

/**
 * A refresh token matched no session. Disabling an account deletes its sessions, so the
 * account is read to tell that case apart. The token names a user id (a random uuid no one
 * else is shown), so this tells a holder of a real token what happened to their account
 * and tells a guesser nothing they could use.
 */
async function refusedRefresh(deps: Pick<AppDeps, "db">, userId: string) {
  const user = await users.findUserById(deps.db, userId);
  return user?.disabledAt ? accountDisabled() : sessionExpired();
}

/** A refresh's answer for a live session: a new access token, and the rotated refresh
 * token (null within the grace window). */
async function refreshed(
  config: AppDeps["auth"]["config"],
  session: { id: string; userId: string; user: { role: "user" | "admin" } },
  refreshToken: string | null,
): Promise<IssuedTokens & { userId: string }> {
  const access = await signAccessToken(config, {
    userId: session.userId,
    sessionId: session.id,
    role: session.user.role,
  });
  return {
    userId: session.userId,
    sessionId: session.id,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
  };
}

/** Exchanges a refresh token for a new access token and (normally) a new refresh token. */
export async function refreshSession(
  deps: Pick<AppDeps, "db" | "auth" | "sessionCache">,
  presented: string,
  source: "body" | "cookie",
  req: RequestMeta,
): Promise<IssuedTokens & { userId: string }> {
  const { config } = deps.auth;
  const userId = userOfCredential(presented);
  if (!userId) throw sessionExpired();
  const presentedHash = hashToken(presented);
  const session = await q.findSessionByTokenHash(deps.db, { userId, tokenHash: presentedHash });

  if (session) {
    if (session.expiresAt <= new Date() || session.user.disabledAt) {
      await revokeSessions(deps, userId, [session.id]);
      throw session.user.disabledAt ? accountDisabled() : sessionExpired();
    }
    const next = generateSessionToken(userId);
    const rotated = await q.rotateSessionToken(deps.db, {
      userId,
      sessionId: session.id,
      fromHash: presentedHash,
      toHash: hashToken(next),
      expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000),
      pruneRotatedBefore: new Date(Date.now() - config.sessionTtlSeconds * 1000),
      ...requestOrigin(req),
    });
    if (rotated) return refreshed(config, session, next);
    // Another refresh rotated this token a moment ago: handled as a rotated token below.
  }

  const reused = await q.findRotatedToken(deps.db, { userId, tokenHash: presentedHash });
  if (!reused) throw await refusedRefresh(deps, userId);

  const withinGrace =
    source === "cookie" &&
    Date.now() - reused.rotatedAt.getTime() < config.refreshGraceSeconds * 1000;
  if (withinGrace) {
    const live = await q.findSessionById(deps.db, { userId, id: reused.sessionId });
    if (live && live.expiresAt > new Date() && !live.user.disabledAt)
      return refreshed(config, live, null);
    throw live?.user.disabledAt ? accountDisabled() : sessionExpired();
  }

  const victim = await q.findSessionById(deps.db, { userId, id: reused.sessionId });
  await revokeSessions(deps, userId, [reused.sessionId]);
  if (victim) {
    await recordAudit(deps, req, {
      action: "refresh_token.reused",
      userId: victim.userId,
      actorId: null,
      details: { sessionId: reused.sessionId, source },
    });
  }
  throw new DomainError(
    "UNAUTHORIZED",
    "This refresh token was already used; the session has been revoked for safety",
  );
}

/** The session a refresh token (current or rotated) belongs to, if any. */
export async function sessionOfRefreshToken(
  deps: Pick<AppDeps, "db">,
  token: string,
): Promise<{ userId: string; sessionId: string } | null> {
  const userId = userOfCredential(token);
  if (!userId) return null;
  const tokenHash = hashToken(token);
  const session = await q.findSessionByTokenHash(deps.db, { userId, tokenHash });
  if (session) return { userId, sessionId: session.id };
  const rotated = await q.findRotatedToken(deps.db, { userId, tokenHash });
  return rotated ? { userId, sessionId: rotated.sessionId } : null;
}

/** Deletes sessions of a user and forgets them in the cache, so their access tokens fail
 * at once. */
export async function revokeSessions(
  deps: Pick<AppDeps, "db" | "sessionCache">,
  userId: string,
  sessionIds: string[],
): Promise<void> {
  for (const id of sessionIds) await q.deleteSession(deps.db, { id, userId });
  await forgetCredentials(deps, { sessionIds });
}

export async function forgetCredentials(
  deps: Pick<AppDeps, "sessionCache">,
  credentials: { sessionIds?: string[]; apiKeyHashes?: string[] },
): Promise<void> {
  const keys = [
    ...(credentials.sessionIds ?? []).map(sessionKey),
    ...(credentials.apiKeyHashes ?? []).map(apiKeyKey),
  ];
  if (keys.length) await deps.sessionCache.delete(keys);
}

/** Forgets every cached entry of the user's live sessions and keys (on every replica: the
 * session cache is shared), so their next request reads the account from Postgres. */
export async function forgetUserEntries(
  deps: Pick<AppDeps, "db" | "sessionCache">,
  userId: string,
): Promise<void> {
  const sessionIds = (await q.listSessions(deps.db, userId)).map((s) => s.id);
  const apiKeyHashes = await q.apiKeyHashesOfUser(deps.db, userId);
  await forgetCredentials(deps, { sessionIds, apiKeyHashes });
}

/** Signs a user out everywhere (except `keepSessionId`) and, optionally, revokes their
 * API keys; used by password change, disable and delete. */
export async function revokeUserCredentials(
  deps: Pick<AppDeps, "db" | "sessionCache">,
  userId: string,
  options: { keepSessionId?: string | null; apiKeys: "revoke" | "keep" | "forget" },
): Promise<void> {
  const sessionIds = await q.deleteUserSessions(deps.db, userId, options.keepSessionId ?? null);
  let apiKeyHashes: string[] = [];
  if (options.apiKeys === "revoke") apiKeyHashes = await q.revokeUserApiKeys(deps.db, userId);
  if (options.apiKeys === "forget") apiKeyHashes = await q.apiKeyHashesOfUser(deps.db, userId);
  await forgetCredentials(deps, { sessionIds, apiKeyHashes });
}
