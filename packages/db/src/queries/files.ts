import type { Database } from "../client";
import type { FileKind } from "../generated/prisma/enums";

/** Uploaded files and the messages that carry them. Every query is scoped by user_id. */

const fileSelect = {
  id: true,
  userId: true,
  name: true,
  mimeType: true,
  kind: true,
  size: true,
  storageKey: true,
  wrappedKey: true,
  keyId: true,
  width: true,
  height: true,
  attachedAt: true,
  createdAt: true,
} as const;

export interface StoredFile {
  id: string;
  userId: string;
  name: string;
  mimeType: string;
  kind: FileKind;
  size: number;
  storageKey: string;
  wrappedKey: string;
  keyId: string;
  width: number | null;
  height: number | null;
  attachedAt: Date | null;
  createdAt: Date;
}

export type NewFile = Omit<StoredFile, "attachedAt" | "createdAt">;

export function createFile(db: Database, file: NewFile): Promise<StoredFile> {
  return db.prisma.file.create({ data: file, select: fileSelect });
}

export function findFile(db: Database, userId: string, id: string): Promise<StoredFile | null> {
  return db.prisma.file.findUnique({ where: { userId_id: { userId, id } }, select: fileSelect });
}

/** Those of `ids` the user owns (in no particular order). */
export function findFiles(db: Database, userId: string, ids: string[]): Promise<StoredFile[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.prisma.file.findMany({ where: { userId, id: { in: ids } }, select: fileSelect });
}

/** Plaintext bytes the user's files take, what the storage quota counts. */
export async function usedBytes(db: Database, userId: string): Promise<number> {
  const { _sum } = await db.prisma.file.aggregate({ where: { userId }, _sum: { size: true } });
  return _sum.size ?? 0;
}

/** A page of the user's files, newest first; the cursor is the last item's id. */
export async function listFiles(
  db: Database,
  userId: string,
  args: { limit: number; cursor?: string | null },
): Promise<{ items: StoredFile[]; nextCursor: string | null }> {
  const rows = await db.prisma.file.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: args.limit + 1,
    ...(args.cursor ? { cursor: { userId_id: { userId, id: args.cursor } }, skip: 1 } : {}),
    select: fileSelect,
  });
  const items = rows.slice(0, args.limit);
  return { items, nextCursor: rows.length > args.limit ? (items.at(-1)?.id ?? null) : null };
}

/** Deletes the rows (attachments go with them); returns the deleted files' storage keys. */
export async function deleteFiles(db: Database, userId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.prisma.file.findMany({
    where: { userId, id: { in: ids } },
    select: { storageKey: true },
  });
  await db.prisma.file.deleteMany({ where: { userId, id: { in: ids } } });
  return rows.map((r) => r.storageKey);
}

export interface MessageAttachmentInfo {
  messageId: string;
  id: string;
  name: string;
  mimeType: string;
  kind: FileKind;
  size: number;
  width: number | null;
  height: number | null;
}

/** The attachments of some of the user's messages, in each message's order. */
export async function attachmentsOf(
  db: Database,
  userId: string,
  messageIds: string[],
): Promise<MessageAttachmentInfo[]> {
  if (messageIds.length === 0) return [];
  const rows = await db.prisma.messageAttachment.findMany({
    where: { userId, messageId: { in: messageIds } },
    orderBy: [{ messageId: "asc" }, { position: "asc" }],
    select: {
      messageId: true,
      file: {
        select: {
          id: true,
          name: true,
          mimeType: true,
          kind: true,
          size: true,
          width: true,
          height: true,
        },
      },
    },
  });
  return rows.map((r) => ({ messageId: r.messageId, ...r.file }));
}

/** The full rows of one message's attachments, in order (for building the prompt). */
export async function filesOfMessage(
  db: Database,
  userId: string,
  messageId: string,
): Promise<StoredFile[]> {
  const rows = await db.prisma.messageAttachment.findMany({
    where: { userId, messageId },
    orderBy: { position: "asc" },
    select: { file: { select: fileSelect } },
  });
  return rows.map((r) => r.file);
}

/** Files that were attached once and no message carries any more (their messages were
 * deleted): they go with their messages. */
export async function detachedFiles(db: Database, userId: string): Promise<string[]> {
  const rows = await db.prisma.file.findMany({
    where: { userId, attachedAt: { not: null }, attachments: { none: {} } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Uploads older than `before` that were never attached, across users, for the sweep. */
export function abandonedUploads(
  db: Database,
  before: Date,
  limit: number,
): Promise<Array<{ userId: string; id: string }>> {
  return db.prisma.file.findMany({
    where: { attachedAt: null, createdAt: { lt: before } },
    orderBy: { createdAt: "asc" },
    take: limit,
    select: { userId: true, id: true },
  });
}

/** Files whose data key is wrapped by another key than `keyId`: what keys:rotate re-wraps. */
export function filesWrappedByOtherKeys(
  db: Database,
  keyId: string,
  limit: number,
): Promise<Array<{ userId: string; id: string; wrappedKey: string }>> {
  return db.prisma.file.findMany({
    where: { keyId: { not: keyId } },
    take: limit,
    select: { userId: true, id: true, wrappedKey: true },
  });
}

export async function setWrappedKey(
  db: Database,
  userId: string,
  id: string,
  wrapped: { wrappedKey: string; keyId: string },
): Promise<void> {
  await db.prisma.file.updateMany({ where: { userId, id }, data: wrapped });
}
