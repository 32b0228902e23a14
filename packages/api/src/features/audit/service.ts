import { audit as q, users, type Database } from "@parley/db";
import type { AuditAction } from "../../core/audit";
import type { AuditDetails } from "../../core/audit";

export interface AuditEventInfo {
  id: string;
  action: AuditAction;
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
  details: AuditDetails | null;
  /** The account the event is about; null when a failed sign-in named no account. */
  subject: { id: string; username: string | null } | null;
  /** Who acted; null when nobody signed in did (a failed sign-in). */
  actor: { id: string; username: string | null } | null;
}

export interface AuditPage {
  items: AuditEventInfo[];
  nextCursor: { createdAt: Date; id: string } | null;
}

export async function listAudit(
  db: Database,
  filter: q.AuditFilter,
  page: { cursor?: q.AuditCursor; limit: number },
): Promise<AuditPage> {
  const { items, nextCursor } = await q.listAuditEvents(db, filter, page);
  const ids = new Set<string>();
  for (const row of items) {
    if (row.userId !== q.NO_ACCOUNT) ids.add(row.userId);
    if (row.actorId) ids.add(row.actorId);
  }
  const names = await users.usernamesByIds(db, [...ids]);
  const person = (id: string | null) =>
    id && id !== q.NO_ACCOUNT ? { id, username: names.get(id) ?? null } : null;
  return {
    items: items.map((row) => ({
      id: row.id,
      action: row.action as AuditAction,
      createdAt: row.createdAt,
      ip: row.ip,
      userAgent: row.userAgent,
      details: (row.details as AuditDetails | null) ?? null,
      subject: person(row.userId),
      actor: person(row.actorId),
    })),
    nextCursor,
  };
}
