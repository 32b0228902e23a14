import type { Database } from "../client";
import type { Prisma } from "../generated/prisma/client";

/** The subject of an event that names no account (a sign-in with an unknown login). */
export const NO_ACCOUNT = "00000000-0000-0000-0000-000000000000";

export const auditEventSelect = {
  id: true,
  userId: true,
  actorId: true,
  action: true,
  ip: true,
  userAgent: true,
  details: true,
  createdAt: true,
} as const;

export interface AuditEventInput {
  userId: string;
  actorId?: string | null;
  action: string;
  ip?: string | null;
  userAgent?: string | null;
  details?: Prisma.InputJsonValue;
}

export async function insertAuditEvent(db: Database, event: AuditEventInput): Promise<void> {
  await db.prisma.auditEvent.create({
    data: {
      userId: event.userId,
      actorId: event.actorId ?? null,
      action: event.action,
      ip: event.ip ?? null,
      userAgent: event.userAgent ?? null,
      ...(event.details !== undefined ? { details: event.details } : {}),
    },
    select: { id: true },
  });
}

export interface AuditFilter {
  /** Only events about this account (always set for a user's own log). */
  userId?: string | undefined;
  actorId?: string | undefined;
  actions?: string[] | undefined;
  ip?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** A cursor is the (createdAt, id) of the last row of the previous page. */
export interface AuditCursor {
  createdAt: Date;
  id: string;
}

/** One page of events, newest first. */
export async function listAuditEvents(
  db: Database,
  filter: AuditFilter,
  page: { cursor?: AuditCursor; limit: number },
) {
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.actions?.length ? { action: { in: filter.actions } } : {}),
    ...(filter.ip ? { ip: filter.ip } : {}),
  };
  const createdAt: Prisma.DateTimeFilter = {};
  if (filter.since) createdAt.gte = filter.since;
  if (filter.until) createdAt.lt = filter.until;
  const and: Prisma.AuditEventWhereInput[] = [where];
  if (filter.since || filter.until) and.push({ createdAt });
  if (page.cursor) {
    and.push({
      OR: [
        { createdAt: { lt: page.cursor.createdAt } },
        { createdAt: page.cursor.createdAt, id: { lt: page.cursor.id } },
      ],
    });
  }
  const rows = await db.prisma.auditEvent.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    select: auditEventSelect,
  });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** Deletes events older than `before`, at most `batch` at a time (short transactions on a
 * big table); returns how many went. */
export function deleteAuditEventsBefore(
  db: Database,
  before: Date,
  batch: number,
): Promise<number> {
  return db.prisma.$executeRaw`
    DELETE FROM audit_events WHERE (user_id, id) IN (
      SELECT user_id, id FROM audit_events WHERE created_at < ${before}
      ORDER BY created_at LIMIT ${batch})`;
}
