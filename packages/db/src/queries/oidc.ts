import type { Database } from "../client";

/** Accounts at an OpenID provider linked to users. */

export function findOidcIdentity(db: Database, issuer: string, subject: string) {
  return db.prisma.oidcIdentity.findUnique({
    where: { issuer_subject: { issuer, subject } },
    select: { userId: true },
  });
}

export async function linkOidcIdentity(
  db: Database,
  data: { userId: string; issuer: string; subject: string; email: string | null },
): Promise<void> {
  await db.prisma.oidcIdentity.create({ data, select: { userId: true } });
}

export async function touchOidcIdentity(
  db: Database,
  args: { userId: string; issuer: string; subject: string; email: string | null },
): Promise<void> {
  await db.prisma.oidcIdentity.updateMany({
    where: { userId: args.userId, issuer: args.issuer, subject: args.subject },
    data: { lastUsedAt: new Date(), email: args.email },
  });
}

export function listOidcIdentities(db: Database, userId: string) {
  return db.prisma.oidcIdentity.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { issuer: true, subject: true, email: true, createdAt: true, lastUsedAt: true },
  });
}
