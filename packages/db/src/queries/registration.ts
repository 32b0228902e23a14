import type { Database } from "../client";

/** Invitations for REGISTRATION=invite. Codes are looked up by their SHA-256 only. */

export const invitationPublicSelect = {
  id: true,
  email: true,
  createdBy: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  usedBy: true,
  revokedAt: true,
} as const;

export function createInvitation(
  db: Database,
  data: { codeHash: string; email: string | null; createdBy: string; expiresAt: Date },
) {
  return db.prisma.invitation.create({ data, select: invitationPublicSelect });
}

export function listInvitations(db: Database, limit: number) {
  return db.prisma.invitation.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: invitationPublicSelect,
  });
}

/** A usable invitation: not used, not revoked, not expired. */
export function findUsableInvitation(db: Database, codeHash: string) {
  return db.prisma.invitation.findFirst({
    where: { codeHash, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, email: true },
  });
}

/** Marks an invitation used before its account exists; false when another registration
 * took it first (or it was revoked or expired meanwhile). */
export async function claimInvitation(db: Database, id: string): Promise<boolean> {
  const { count } = await db.prisma.invitation.updateMany({
    where: { id, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  return count === 1;
}

/** Gives a claimed invitation back when the registration that claimed it failed. */
export async function releaseInvitation(db: Database, id: string): Promise<void> {
  await db.prisma.invitation.updateMany({
    where: { id, usedBy: null },
    data: { usedAt: null },
  });
}

export async function bindInvitation(db: Database, id: string, userId: string): Promise<void> {
  await db.prisma.invitation.updateMany({ where: { id }, data: { usedBy: userId } });
}

export async function revokeInvitation(db: Database, id: string): Promise<boolean> {
  const { count } = await db.prisma.invitation.updateMany({
    where: { id, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}
