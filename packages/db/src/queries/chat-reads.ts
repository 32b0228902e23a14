import type { Database } from "../client";
import type { ConversationCursor, ConversationRow, MessageRow } from "./chat";
import type { MessageAttachmentInfo } from "./files";

/**
 * The two reads every screen makes (the conversation list and a page of history), in SQL
 * written by hand and sent through the connection Prisma's adapter holds: Prisma's JS query
 * engine cost more CPU per 50-row page than the query itself. Column lists are explicit and
 * every query, subqueries included, filters by user_id (one shard on Citus). The bench's raw-SQL floor serves these same statements.
 */

export const CONVERSATION_COLUMNS = `id, title, model, system_prompt AS "systemPrompt", temperature, pinned,
  archived, folder_id AS "folderId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A message row as MessageRow names its fields. */
export const MESSAGE_COLUMNS = `id, conversation_id AS "conversationId", parent_id AS "parentId",
  depth, active, role, content, status, model, error, prompt_tokens AS "promptTokens",
  completion_tokens AS "completionTokens", usage_estimated AS "usageEstimated",
  client_message_id AS "clientMessageId", created_at AS "createdAt", updated_at AS "updatedAt"`;
/** $1 user, $2 archived, $3 pinned (null: either), $4/$5 cursor (null: from the newest), $6 rows,
 * $7 whether to filter by folder, $8 the folder (null: filed in none). */
export const LIST_CONVERSATIONS_SQL = `SELECT ${CONVERSATION_COLUMNS}
FROM conversations
WHERE user_id = $1::uuid AND archived = $2::boolean
  AND ($3::boolean IS NULL OR pinned = $3::boolean)
  AND ($4::timestamptz IS NULL OR (updated_at, id) < ($4::timestamptz, $5::uuid))
  AND (NOT $7::boolean OR folder_id IS NOT DISTINCT FROM $8::uuid)
ORDER BY updated_at DESC, id DESC
LIMIT $6::int`;

const branchPage = (older: boolean) => `WITH page AS (
  SELECT id, conversation_id, parent_id, depth, active, role, content, status, model, error,
         prompt_tokens, completion_tokens, usage_estimated, client_message_id, created_at,
         updated_at
  FROM messages
  WHERE conversation_id = $1::uuid AND user_id = $2::uuid AND active
    AND ${older ? "($3::int IS NULL OR depth < $3::int)" : "depth > $3::int"}
  ORDER BY depth ${older ? "DESC" : "ASC"}
  LIMIT $4::int
)
SELECT p.id, p.conversation_id AS "conversationId", p.parent_id AS "parentId", p.depth, p.active,
       p.role, p.content, p.status, p.model, p.error, p.prompt_tokens AS "promptTokens",
       p.completion_tokens AS "completionTokens", p.usage_estimated AS "usageEstimated",
       p.client_message_id AS "clientMessageId",
       p.created_at AS "createdAt", p.updated_at AS "updatedAt",
       COALESCE(
         (SELECT array_agg(s.id::text ORDER BY s.created_at, s.id) FROM messages s
          WHERE s.parent_id = p.parent_id AND s.user_id = $2::uuid),
         (SELECT array_agg(s.id::text ORDER BY s.created_at, s.id) FROM messages s
          WHERE p.parent_id IS NULL AND s.conversation_id = p.conversation_id
            AND s.user_id = $2::uuid AND s.active IN (true, false) AND s.depth = 0 AND s.parent_id IS NULL)
       ) AS "siblingIds",
       CASE WHEN p.role = 'user' THEN COALESCE(
         (SELECT json_agg(json_build_object('id', f.id, 'name', f.name, 'mimeType', f.mime_type,
                                            'kind', f.kind, 'size', f.size, 'width', f.width,
                                            'height', f.height) ORDER BY a.position)
          FROM message_attachments a JOIN files f ON f.user_id = a.user_id AND f.id = a.file_id
          WHERE a.user_id = $2::uuid AND a.message_id = p.id),
         '[]'::json) ELSE '[]'::json END AS attachments,
       (SELECT r.rating::text FROM message_feedback r
        WHERE r.user_id = $2::uuid AND r.message_id = p.id) AS rating
FROM page p
ORDER BY p.depth`;

/**
 * A page of the active branch with each message's siblings and (user messages) the files it
 * carries, in one statement. $1
 * conversation, $2 user, $3 depth bound (older: below it, null for the newest page; newer:
 * above it), $4 rows. Roots are siblings of each other; they are found through the
 * (conversation_id, active, depth) index, one probe per value of `active`.
 */
export const LIST_OLDER_MESSAGES_SQL = branchPage(true);
export const LIST_NEWER_MESSAGES_SQL = branchPage(false);

/** Newest activity first, paged by (updatedAt, id); no title search (see chat.listConversations). */
export async function listConversationPage(
  db: Database,
  userId: string,
  args: {
    limit: number;
    cursor?: ConversationCursor;
    archived?: boolean;
    pinned?: boolean;
    /** Only the conversations in this folder (null: in none); undefined: any. */
    folderId?: string | null;
  },
) {
  const rows = await db.sql.query<ConversationRow>(LIST_CONVERSATIONS_SQL, [
    userId,
    args.archived ?? false,
    args.pinned ?? null,
    args.cursor?.updatedAt ?? null,
    args.cursor?.id ?? null,
    args.limit + 1,
    args.folderId !== undefined,
    args.folderId ?? null,
  ]);
  const items = rows.slice(0, args.limit);
  const last = items.at(-1);
  const nextCursor: ConversationCursor | null =
    rows.length > args.limit && last ? { updatedAt: last.updatedAt, id: last.id } : null;
  return { items, nextCursor };
}

/** A file a message carries, as a page of history shows it. */
export type PageAttachment = Omit<MessageAttachmentInfo, "messageId">;
export type BranchMessage = MessageRow & {
  siblingIds: string[];
  attachments: PageAttachment[];
  /** The owner's thumbs up or down on a reply, if any. */
  rating: "up" | "down" | null;
};

export interface BranchPageArgs {
  limit: number;
  /** Older messages: depth below this. Without before/after: the newest page. */
  beforeDepth?: number;
  /** Newer messages: depth above this. */
  afterDepth?: number;
}

/**
 * A page of the active branch of the user's conversation, oldest first, each message with
 * its siblings (oldest first). Empty both for an empty branch and for a conversation that
 * is missing or someone else's: the caller tells them apart only when the page is empty.
 */
export async function listActiveBranchPage(
  db: Database,
  userId: string,
  conversationId: string,
  args: BranchPageArgs,
) {
  const newer = args.afterDepth !== undefined;
  const rows = await db.sql.query<BranchMessage>(
    newer ? LIST_NEWER_MESSAGES_SQL : LIST_OLDER_MESSAGES_SQL,
    [conversationId, userId, (newer ? args.afterDepth : args.beforeDepth) ?? null, args.limit + 1],
  );
  const hasMore = rows.length > args.limit;
  // Rows come oldest first; the extra row is the one beyond the page's far edge.
  const items = hasMore ? (newer ? rows.slice(0, args.limit) : rows.slice(1)) : rows;
  return { items, hasMore };
}

/** A prompt page: the active branch below $3 (null: from the tip), newest first, $4 rows,
 * each saying whether files are attached (so only those messages have their files read). */
export const PROMPT_PAGE_SQL = `SELECT m.id, m.role, m.content, m.depth, m.status,
       EXISTS (SELECT 1 FROM message_attachments a
               WHERE a.user_id = $2::uuid AND a.message_id = m.id) AS "hasAttachments"
FROM messages m
WHERE m.conversation_id = $1::uuid AND m.user_id = $2::uuid AND m.active
  AND ($3::int IS NULL OR m.depth < $3::int)
ORDER BY m.depth DESC
LIMIT $4::int`;

export interface PromptRow {
  id: string;
  role: "user" | "assistant";
  content: string;
  depth: number;
  /** "streaming" while a reply is written (only ever the tip); its content is then partial. */
  status: string | null;
  hasAttachments: boolean;
}

/** The newest `take` messages of the active branch of the user's conversation below
 * `belowDepth` (or from its tip), newest first: what a prompt is built from. */
export function promptPage(
  db: Database,
  args: { userId: string; conversationId: string; belowDepth: number | null; take: number },
): Promise<PromptRow[]> {
  return db.sql.query<PromptRow>(PROMPT_PAGE_SQL, [
    args.conversationId,
    args.userId,
    args.belowDepth,
    args.take,
  ]);
}

/** Whether the user already sent a message with this clientMessageId (a retry): one probe
 * of the unique index, so a first send does not pay for reading the whole exchange. */
export async function clientMessageIdUsed(
  db: Database,
  userId: string,
  clientMessageId: string,
): Promise<boolean> {
  const rows = await db.sql.query(
    `SELECT 1 FROM messages WHERE user_id = $1::uuid AND client_message_id = $2 LIMIT 1`,
    [userId, clientMessageId],
  );
  return rows.length > 0;
}
