import type { Database } from "../client";

/**
 * Every column Parley stores encrypted with the key module, for `keys:rotate`: each lists
 * its rows a page at a time (by primary key) and writes a row's re-wrapped value back.
 * A new sealed column is added here, or rotation leaves it under the old key.
 */
export interface SealedRow {
  /** Primary key, also the cursor of the next page. */
  key: string;
  userId: string;
  /** The id a file's data key was wrapped with, when the table stores it apart. */
  id: string;
  sealed: string;
}

export async function fileKeysPage(db: Database, after: string | null, limit: number) {
  const rows = await db.prisma.file.findMany({
    where: after ? { id: { gt: after } } : {},
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, userId: true, wrappedKey: true },
  });
  return rows.map((r) => ({ key: r.id, id: r.id, userId: r.userId, sealed: r.wrappedKey }));
}

export async function setFileKey(
  db: Database,
  row: { userId: string; id: string },
  wrappedKey: string,
  keyId: string,
) {
  await db.prisma.file.updateMany({
    where: { userId: row.userId, id: row.id },
    data: { wrappedKey, keyId },
  });
}

export async function totpSecretsPage(db: Database, after: string | null, limit: number) {
  const rows = await db.prisma.totpCredential.findMany({
    where: after ? { userId: { gt: after } } : {},
    orderBy: { userId: "asc" },
    take: limit,
    select: { userId: true, secretSealed: true },
  });
  return rows.map((r) => ({
    key: r.userId,
    id: r.userId,
    userId: r.userId,
    sealed: r.secretSealed,
  }));
}

export async function setTotpSecret(db: Database, row: { userId: string }, sealed: string) {
  await db.prisma.totpCredential.updateMany({
    where: { userId: row.userId },
    data: { secretSealed: sealed },
  });
}

export async function providerKeysPage(db: Database, after: string | null, limit: number) {
  const rows = await db.prisma.provider.findMany({
    where: { apiKeySealed: { not: null }, ...(after ? { id: { gt: after } } : {}) },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, apiKeySealed: true },
  });
  // Instance-wide rows: no user; the id names the sealing context.
  return rows.map((r) => ({ key: r.id, id: r.id, userId: "", sealed: r.apiKeySealed! }));
}

export async function setProviderKey(db: Database, row: { id: string }, sealed: string) {
  await db.prisma.provider.updateMany({
    where: { id: row.id, apiKeySealed: { not: null } },
    data: { apiKeySealed: sealed },
  });
}
