import type { Database } from "../client";
import { rethrowUnique } from "../errors";
import { publicUserSelect } from "./users";

/**
 * Sessions, rotated refresh tokens and API keys. Every function selects its columns
 * explicitly: token and key hashes are read only where a lookup needs them and are never
 * part of a row meant for a client.
 */

// Any constant works; it only has to differ from the migration lock and be the same in
// every replica.
const FIRST_USER_LOCK_ID = 7_204_512;

/** What the auth layer needs to decide whether a user may sign in or act. */
/** What authentication needs of a user, and what auth.me answers (cached with the session). */
export const userAccessSelect = {
  id: true,
  role: true,
  disabledAt: true,
  username: true,
  email: true,
  createdAt: true,
} as const;

/** userAccessSelect and the admin's daily-quota override, which the quota check needs before
 * every model call: read with the credential on a cache miss, so a hit costs no Postgres. */
export const userAccessWithQuotaSelect = {
  ...userAccessSelect,
  quota: { select: { tokensPerDay: true } },
} as const;

/** Internal: the credential row for a login. Never return it to a client. */
export function findCredentialsByLogin(db: Database, login: { username?: string; email?: string }) {
  const where =
    login.email !== undefined ? { email: login.email } : { username: login.username ?? "" };
  return db.prisma.user.findUnique({
    where,
    select: { ...userAccessSelect, passwordHash: true },
  });
}

/** Internal: the password hash of one user, for re-authentication. */
export function findPasswordHash(db: Database, userId: string) {
  return db.prisma.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
}

/**
 * Creates a user whose role depends on whether they are the first one, while holding a lock
 * so two registrations racing on an empty database cannot both be first.
 */
export async function createUserDecidingRole(
  db: Database,
  data: { username: string; email: string; passwordHash: string },
  roleFor: (isFirstUser: boolean) => "user" | "admin",
) {
  return rethrowUnique(
    db.prisma.$transaction(async (tx) => {
      if (db.kind === "postgres")
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_USER_LOCK_ID})`;
      const existing = await tx.user.findFirst({ select: { id: true } });
      return tx.user.create({
        data: { ...data, role: roleFor(existing === null) },
        select: publicUserSelect,
      });
    }),
  );
}

// ---- sessions ----

/** Session columns shown to their owner. */
export const sessionPublicSelect = {
  id: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  userAgent: true,
  ip: true,
} as const;

export function createSession(
  db: Database,
  data: {
    id: string;
    userId: string;
    tokenHash: string;
    expiresAt: Date;
    userAgent: string | null;
    ip: string | null;
  },
) {
  return db.prisma.session.create({ data, select: { id: true, expiresAt: true } });
}

/** The session a refresh token currently belongs to, with its user's access state. The
 * token names its user (every credential lookup is by user_id and hash, so it is routed to
 * one shard). */
export function findSessionByTokenHash(db: Database, args: { userId: string; tokenHash: string }) {
  return db.prisma.session.findUnique({
    where: { userId_tokenHash: args },
    select: { id: true, userId: true, expiresAt: true, user: { select: userAccessSelect } },
  });
}

/** A live-check by session id (the access token carries the user id beside it): used when
 * the session cache misses. */
export function findSessionById(db: Database, args: { userId: string; id: string }) {
  return db.prisma.session.findUnique({
    where: { userId_id: args },
    select: {
      id: true,
      userId: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: userAccessWithQuotaSelect },
    },
  });
}

/** A refresh token that was rotated away, if `tokenHash` is one. */
export function findRotatedToken(db: Database, args: { userId: string; tokenHash: string }) {
  return db.prisma.rotatedToken.findUnique({
    where: { userId_tokenHash: args },
    select: { sessionId: true, rotatedAt: true },
  });
}

/**
 * Swaps the session's token hash from `fromHash` to `toHash` and records `fromHash` as
 * rotated, in one transaction. Returns false when `fromHash` is no longer current (another
 * refresh won the race), in which case nothing changes.
 */
export async function rotateSessionToken(
  db: Database,
  args: {
    userId: string;
    sessionId: string;
    fromHash: string;
    toHash: string;
    expiresAt: Date;
    /** Rotated hashes older than this are dropped so the table stays small; replaying
     * one that old is then refused as unknown rather than revoking the session. */
    pruneRotatedBefore: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.session.updateMany({
      where: { userId: args.userId, id: args.sessionId, tokenHash: args.fromHash },
      data: {
        tokenHash: args.toHash,
        rotatedAt: now,
        lastUsedAt: now,
        expiresAt: args.expiresAt,
        ip: args.ip,
        userAgent: args.userAgent,
      },
    });
    if (count !== 1) return false;
    await tx.rotatedToken.create({
      data: {
        userId: args.userId,
        tokenHash: args.fromHash,
        sessionId: args.sessionId,
        rotatedAt: now,
      },
      select: { tokenHash: true },
    });
    await tx.rotatedToken.deleteMany({
      where: {
        userId: args.userId,
        sessionId: args.sessionId,
        rotatedAt: { lt: args.pruneRotatedBefore },
      },
    });
    return true;
  });
}

export async function touchSession(db: Database, args: { userId: string; id: string }) {
  await db.prisma.session.updateMany({ where: args, data: { lastUsedAt: new Date() } });
}

export function listSessions(db: Database, userId: string) {
  return db.prisma.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: [{ lastUsedAt: "desc" }, { id: "asc" }],
    select: sessionPublicSelect,
    take: 500,
  });
}

/** Deletes one session of `userId`; returns whether it existed (and was theirs). */
export async function deleteSession(
  db: Database,
  args: { id: string; userId: string },
): Promise<boolean> {
  const { count } = await db.prisma.session.deleteMany({
    where: { id: args.id, userId: args.userId },
  });
  return count > 0;
}

/** Deletes every session of a user except `keepId`; returns the deleted ids so caches can
 * forget them. */
export async function deleteUserSessions(
  db: Database,
  userId: string,
  keepId?: string | null,
): Promise<string[]> {
  const where = { userId, ...(keepId ? { id: { not: keepId } } : {}) };
  const rows = await db.prisma.session.findMany({ where, select: { id: true } });
  if (rows.length)
    await db.prisma.session.deleteMany({ where: { userId, id: { in: rows.map((r) => r.id) } } });
  return rows.map((r) => r.id);
}

/**
 * Keeps a user's sessions bounded: drops expired ones and, beyond `keep`, the least recently
 * used. Returns the deleted ids so caches can forget them.
 */
export async function pruneUserSessions(
  db: Database,
  userId: string,
  keep: number,
): Promise<string[]> {
  const expired = await db.prisma.session.findMany({
    where: { userId, expiresAt: { lte: new Date() } },
    select: { id: true },
  });
  const surplus = await db.prisma.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: [{ lastUsedAt: "desc" }, { id: "asc" }],
    skip: keep,
    select: { id: true },
  });
  const ids = [...expired, ...surplus].map((s) => s.id);
  if (ids.length) await db.prisma.session.deleteMany({ where: { userId, id: { in: ids } } });
  return ids;
}

// ---- API keys ----

/** API key columns shown to their owner: never the hash. */
export const apiKeyPublicSelect = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  scopes: true,
  expiresAt: true,
} as const;

export function createApiKey(
  db: Database,
  data: {
    userId: string;
    name: string;
    prefix: string;
    keyHash: string;
    scopes: string[];
    expiresAt: Date | null;
  },
) {
  return db.prisma.apiKey.create({ data, select: apiKeyPublicSelect });
}

/** Keys that still work: neither revoked nor expired. */
export function countActiveApiKeys(db: Database, userId: string) {
  return db.prisma.apiKey.count({
    where: {
      userId,
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
    },
  });
}

export function listApiKeys(db: Database, userId: string) {
  return db.prisma.apiKey.findMany({
    where: { userId, revokedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: apiKeyPublicSelect,
  });
}

const apiKeyAccessSelect = {
  id: true,
  userId: true,
  revokedAt: true,
  lastUsedAt: true,
  scopes: true,
  expiresAt: true,
  user: { select: userAccessWithQuotaSelect },
} as const;

/** Internal: the key behind a presented secret's hash, with its owner's access state. The
 * secret names its user, so the lookup is by user_id and hash. */
export function findApiKeyByHash(db: Database, args: { userId: string; keyHash: string }) {
  return db.prisma.apiKey.findUnique({
    where: { userId_keyHash: args },
    select: apiKeyAccessSelect,
  });
}

/**
 * Internal: a key issued before keys named their user, found by its hash alone. On Citus
 * this asks every shard (an index lookup on each), at most once per key per cache TTL;
 * docs/scaling.md has operators rotate such keys before they shard.
 */
export function findLegacyApiKeyByHash(db: Database, keyHash: string) {
  return db.prisma.apiKey.findFirst({ where: { keyHash }, select: apiKeyAccessSelect });
}

/** Revokes one key of `userId`; returns its hash (for cache invalidation) or null when the
 * key does not exist, is not theirs, or was already revoked. */
export async function revokeApiKey(
  db: Database,
  args: { id: string; userId: string },
): Promise<string | null> {
  const key = await db.prisma.apiKey.findFirst({
    where: { id: args.id, userId: args.userId, revokedAt: null },
    select: { keyHash: true },
  });
  if (!key) return null;
  await db.prisma.apiKey.updateMany({
    where: { id: args.id, userId: args.userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return key.keyHash;
}

/** Revokes every key of a user; returns their hashes for cache invalidation. */
export async function revokeUserApiKeys(db: Database, userId: string): Promise<string[]> {
  const keys = await db.prisma.apiKey.findMany({
    where: { userId, revokedAt: null },
    select: { keyHash: true },
  });
  if (keys.length) {
    await db.prisma.apiKey.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
  }
  return keys.map((k) => k.keyHash);
}

/** Internal: hashes of every key of a user, revoked or not (cache invalidation on delete). */
export async function apiKeyHashesOfUser(db: Database, userId: string): Promise<string[]> {
  const keys = await db.prisma.apiKey.findMany({ where: { userId }, select: { keyHash: true } });
  return keys.map((k) => k.keyHash);
}

export async function touchApiKey(db: Database, args: { userId: string; id: string }) {
  await db.prisma.apiKey.updateMany({ where: args, data: { lastUsedAt: new Date() } });
}
