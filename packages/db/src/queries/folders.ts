import type { Database } from "../client";

/**
 * Folders of conversations, and what is done to several conversations at once. Every
 * statement filters by user_id (one shard on Citus); a conversation names its folder by
 * (user_id, folder_id), so it can only ever be filed in its owner's folder.
 */

export const folderSelect = { id: true, name: true, createdAt: true, updatedAt: true } as const;

export interface FolderRow {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Oldest first: a folder keeps its place in the sidebar when others are added. */
export function listFolders(db: Database, userId: string): Promise<FolderRow[]> {
  return db.prisma.folder.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: folderSelect,
  });
}

export function countFolders(db: Database, userId: string): Promise<number> {
  return db.prisma.folder.count({ where: { userId } });
}

export function createFolder(db: Database, userId: string, name: string): Promise<FolderRow> {
  return db.prisma.folder.create({ data: { userId, name }, select: folderSelect });
}

/** Null when the folder does not exist or belongs to someone else. */
export async function renameFolder(
  db: Database,
  userId: string,
  id: string,
  name: string,
): Promise<FolderRow | null> {
  const { count } = await db.prisma.folder.updateMany({ where: { userId, id }, data: { name } });
  return count ? db.prisma.folder.findFirst({ where: { userId, id }, select: folderSelect }) : null;
}

/** False when the folder does not exist or belongs to someone else. Its conversations stay,
 * filed in no folder (the foreign key's ON DELETE SET NULL (folder_id)). */
export async function deleteFolder(db: Database, userId: string, id: string): Promise<boolean> {
  const { count } = await db.prisma.folder.deleteMany({ where: { userId, id } });
  return count > 0;
}

/**
 * Files the conversation in the folder (null: in none), in one statement, without touching
 * its updated_at (moving is not activity). "conversation" when the conversation is missing or
 * someone else's, "folder" when the folder is, else null.
 */
export async function moveConversation(
  db: Database,
  args: { userId: string; conversationId: string; folderId: string | null },
): Promise<"conversation" | "folder" | null> {
  const rows = await db.sql.query<{ conversation: boolean; folder: boolean; moved: boolean }>(
    `WITH target AS (
       SELECT $3::uuid IS NULL
              OR EXISTS (SELECT 1 FROM folders WHERE user_id = $1::uuid AND id = $3::uuid) AS ok
     ), moved AS (
       UPDATE conversations SET folder_id = $3::uuid
       WHERE user_id = $1::uuid AND id = $2::uuid AND (SELECT ok FROM target)
       RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM conversations WHERE user_id = $1::uuid AND id = $2::uuid)
              AS conversation,
            (SELECT ok FROM target) AS folder,
            EXISTS (SELECT 1 FROM moved) AS moved`,
    [args.userId, args.conversationId, args.folderId],
  );
  const row = rows[0]!;
  if (row.moved) return null;
  return row.conversation ? "folder" : "conversation";
}

/**
 * Runs `change` on the user's conversations `ids` only if every one of them is the user's:
 * they are locked first, and when any is missing or someone else's nothing is changed and
 * the result is null. Else the ids changed.
 */
async function allOrNothing(
  db: Database,
  userId: string,
  ids: string[],
  change: (sql: Parameters<Parameters<Database["transaction"]>[0]>[0]) => Promise<void>,
): Promise<string[] | null> {
  return db.transaction(async (sql) => {
    const owned = await sql.query<{ id: string }>(
      `SELECT id FROM conversations WHERE user_id = $1::uuid AND id = ANY($2::uuid[])
       ORDER BY id FOR UPDATE`,
      [userId, ids],
    );
    if (owned.length !== new Set(ids).size) return null;
    await change(sql);
    return owned.map((r) => r.id);
  });
}

/** Archives (or brings back) all of `ids`, or none when any is not the user's. */
export function archiveConversations(
  db: Database,
  args: { userId: string; ids: string[]; archived: boolean },
): Promise<string[] | null> {
  return allOrNothing(db, args.userId, args.ids, async (sql) => {
    await sql.query(
      `UPDATE conversations SET archived = $3::boolean, updated_at = now()
       WHERE user_id = $1::uuid AND id = ANY($2::uuid[])`,
      [args.userId, args.ids, args.archived],
    );
  });
}

/** Deletes all of `ids` with their messages and share links, or none when any is not the
 * user's. */
export function deleteConversations(
  db: Database,
  args: { userId: string; ids: string[] },
): Promise<string[] | null> {
  return allOrNothing(db, args.userId, args.ids, async (sql) => {
    // Share links have no foreign key to their conversation (see SharedConversation).
    await sql.query(
      `DELETE FROM shared_conversations WHERE user_id = $1::uuid AND conversation_id = ANY($2::uuid[])`,
      [args.userId, args.ids],
    );
    await sql.query(`DELETE FROM conversations WHERE user_id = $1::uuid AND id = ANY($2::uuid[])`, [
      args.userId,
      args.ids,
    ]);
  });
}
