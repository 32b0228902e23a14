import type { Database } from "../client";

/** TOTP credentials and recovery codes; every query is keyed by `userId`. */

export function findTotp(db: Database, userId: string) {
  return db.prisma.totpCredential.findUnique({
    where: { userId },
    select: { secretSealed: true, enabledAt: true, lastUsedStep: true },
  });
}

/** Whether the user has confirmed an authenticator. */
export async function isTotpEnabled(db: Database, userId: string): Promise<boolean> {
  const row = await db.prisma.totpCredential.findUnique({
    where: { userId },
    select: { enabledAt: true },
  });
  return Boolean(row?.enabledAt);
}

/** Starts (or restarts) an enrolment: a new secret, not yet enabled. Refuses to replace an
 * enabled authenticator (returns false): that needs disabling first. */
export async function upsertPendingTotp(
  db: Database,
  userId: string,
  secretSealed: string,
): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const existing = await tx.totpCredential.findUnique({
      where: { userId },
      select: { enabledAt: true },
    });
    if (existing?.enabledAt) return false;
    await tx.totpCredential.upsert({
      where: { userId },
      create: { userId, secretSealed },
      update: { secretSealed, lastUsedStep: null, createdAt: new Date() },
      select: { userId: true },
    });
    return true;
  });
}

/**
 * Accepts a code's time step only if it is later than the last accepted one, atomically, so
 * two requests racing with the same code cannot both succeed.
 */
export async function claimTotpStep(db: Database, userId: string, step: bigint): Promise<boolean> {
  const { count } = await db.prisma.totpCredential.updateMany({
    where: { userId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
    data: { lastUsedStep: step },
  });
  return count === 1;
}

/** Confirms the pending authenticator and stores fresh recovery codes, in one transaction. */
export async function enableTotp(
  db: Database,
  userId: string,
  recoveryCodeHashes: string[],
): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const { count } = await tx.totpCredential.updateMany({
      where: { userId, enabledAt: null },
      data: { enabledAt: new Date() },
    });
    if (count !== 1) return false;
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({
      data: recoveryCodeHashes.map((codeHash) => ({ userId, codeHash })),
    });
    return true;
  });
}

export async function replaceRecoveryCodes(
  db: Database,
  userId: string,
  recoveryCodeHashes: string[],
): Promise<void> {
  await db.prisma.$transaction([
    db.prisma.recoveryCode.deleteMany({ where: { userId } }),
    db.prisma.recoveryCode.createMany({
      data: recoveryCodeHashes.map((codeHash) => ({ userId, codeHash })),
    }),
  ]);
}

/** Marks one unused recovery code as used; false when it is unknown or already used. */
export async function useRecoveryCode(
  db: Database,
  userId: string,
  codeHash: string,
): Promise<boolean> {
  const { count } = await db.prisma.recoveryCode.updateMany({
    where: { userId, codeHash, usedAt: null },
    data: { usedAt: new Date() },
  });
  return count === 1;
}

export function countUnusedRecoveryCodes(db: Database, userId: string) {
  return db.prisma.recoveryCode.count({ where: { userId, usedAt: null } });
}

export async function deleteTotp(db: Database, userId: string): Promise<void> {
  await db.prisma.$transaction([
    db.prisma.recoveryCode.deleteMany({ where: { userId } }),
    db.prisma.totpCredential.deleteMany({ where: { userId } }),
  ]);
}

/** Ids of users who have no confirmed authenticator (to sign them out when 2FA becomes
 * required). */
export async function usersWithoutTotp(db: Database): Promise<string[]> {
  const rows = await db.prisma.user.findMany({
    where: { OR: [{ totp: null }, { totp: { enabledAt: null } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
