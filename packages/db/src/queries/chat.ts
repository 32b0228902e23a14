import { randomUUID } from "node:crypto";
import type { Database, RawSql } from "../client";
import { rethrowUnique } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS } from "./chat-reads";
import { conversationMatches, toSearchTsQuery } from "./search";

/**
 * Conversations and messages. Messages form a tree through `parentId` (edits and
 * regenerations are siblings); exactly one message per depth is `active`, and the active
 * ones form one chain from the root, so the visible branch is an index range scan on
 * (conversation_id, active, depth). Every function that changes which messages are active
 * locks the conversation row first, so concurrent sends cannot break that invariant.
 */

export const DEFAULT_TITLE = "New chat";

export {
  clientMessageIdUsed,
  listActiveBranchPage,
  listConversationPage,
  promptPage,
  PROMPT_PAGE_SQL,
  type BranchMessage,
  type PageAttachment,
  type PromptRow,
} from "./chat-reads";

export const conversationSelect = {
  id: true,
  title: true,
  model: true,
  systemPrompt: true,
  temperature: true,
  pinned: true,
  archived: true,
  folderId: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const messageSelect = {
  id: true,
  conversationId: true,
  parentId: true,
  depth: true,
  active: true,
  role: true,
  content: true,
  status: true,
  model: true,
  error: true,
  promptTokens: true,
  completionTokens: true,
  usageEstimated: true,
  clientMessageId: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type ConversationRow = Prisma.ConversationGetPayload<{ select: typeof conversationSelect }>;
export type MessageRow = Prisma.MessageGetPayload<{ select: typeof messageSelect }>;
export type ReplyStatus = MessageRow["status"];

/** A rule of the message tree was broken by the caller; `code` maps to an API error. */
export class ChatRuleError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT",
    message: string,
    readonly details?: { field?: string },
  ) {
    super(message);
    this.name = "ChatRuleError";
  }
}

type Tx = Prisma.TransactionClient;

// ---------------------------------------------------------------------------------------
// Conversations

export interface ConversationCursor {
  updatedAt: Date;
  id: string;
}

export interface ListConversationsArgs {
  limit: number;
  cursor?: ConversationCursor;
  archived?: boolean;
  pinned?: boolean;
  /** Only the conversations in this folder (null: in none); undefined: any. */
  folderId?: string | null;
  /** Words to find in titles or message text (full-text, prefix match per word). */
  query?: string;
}

/** Newest activity first, paged by (updatedAt, id). */
export async function listConversations(db: Database, userId: string, args: ListConversationsArgs) {
  const tsQuery = args.query ? toPrefixTsQuery(args.query) : null;
  let rows: ConversationRow[];
  if (args.query !== undefined && !tsQuery) {
    rows = []; // the query had no searchable word at all
  } else if (tsQuery) {
    const ids = await searchConversationIds(db, userId, tsQuery, args);
    const found = await db.prisma.conversation.findMany({
      where: { id: { in: ids }, userId },
      select: conversationSelect,
    });
    const byId = new Map(found.map((c) => [c.id, c]));
    rows = ids.map((id) => byId.get(id)).filter((c): c is ConversationRow => c !== undefined);
  } else {
    rows = await db.prisma.conversation.findMany({
      where: {
        userId,
        archived: args.archived ?? false,
        ...(args.pinned !== undefined && { pinned: args.pinned }),
        ...(args.folderId !== undefined && { folderId: args.folderId }),
        ...(args.cursor && {
          OR: [
            { updatedAt: { lt: args.cursor.updatedAt } },
            { updatedAt: args.cursor.updatedAt, id: { lt: args.cursor.id } },
          ],
        }),
      },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      take: args.limit + 1,
      select: conversationSelect,
    });
  }
  const items = rows.slice(0, args.limit);
  const last = items.at(-1);
  const nextCursor: ConversationCursor | null =
    rows.length > args.limit && last ? { updatedAt: last.updatedAt, id: last.id } : null;
  return { items, nextCursor };
}

/** Words become stemmed `word:*` terms joined by AND (see search.ts). */
export const toPrefixTsQuery = toSearchTsQuery;

// The filter matches the GIN indexes of migration 20261201183000_search_stemming (search.ts).
async function searchConversationIds(
  db: Database,
  userId: string,
  tsQuery: string,
  args: ListConversationsArgs,
) {
  const cursor = args.cursor
    ? Prisma.sql`AND (c.updated_at, c.id) < (${args.cursor.updatedAt}, ${args.cursor.id}::uuid)`
    : Prisma.empty;
  const pinned =
    args.pinned === undefined ? Prisma.empty : Prisma.sql`AND c.pinned = ${args.pinned}`;
  const folder =
    args.folderId === undefined
      ? Prisma.empty
      : args.folderId === null
        ? Prisma.sql`AND c.folder_id IS NULL`
        : Prisma.sql`AND c.folder_id = ${args.folderId}::uuid`;
  const rows = await db.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT c.id::text AS id
    FROM conversations c
    WHERE c.user_id = ${userId}::uuid
      AND c.archived = ${args.archived ?? false}
      ${pinned}
      ${folder}
      ${cursor}
      AND ${conversationMatches(tsQuery)}
    ORDER BY c.updated_at DESC, c.id DESC
    LIMIT ${args.limit + 1}`;
  return rows.map((r) => r.id);
}

export function getConversation(db: Database, userId: string, id: string) {
  return db.prisma.conversation.findFirst({ where: { id, userId }, select: conversationSelect });
}

export interface ConversationSettings {
  title?: string;
  model?: string | null;
  systemPrompt?: string | null;
  temperature?: number | null;
  pinned?: boolean;
  archived?: boolean;
}

export function createConversation(db: Database, userId: string, data: ConversationSettings) {
  return db.prisma.conversation.create({
    data: { userId, ...data, title: data.title ?? DEFAULT_TITLE },
    select: conversationSelect,
  });
}

/** Null when the conversation does not exist or belongs to someone else. */
export async function updateConversation(
  db: Database,
  userId: string,
  id: string,
  patch: ConversationSettings,
) {
  const { count } = await db.prisma.conversation.updateMany({ where: { id, userId }, data: patch });
  return count ? getConversation(db, userId, id) : null;
}

/** False when the conversation does not exist or belongs to someone else. */
export async function deleteConversation(
  db: Database,
  userId: string,
  id: string,
): Promise<boolean> {
  // Its share links go with it (they have no foreign key to it: see SharedConversation).
  const [, { count }] = await db.prisma.$transaction([
    db.prisma.sharedConversation.deleteMany({ where: { userId, conversationId: id } }),
    db.prisma.conversation.deleteMany({ where: { id, userId } }),
  ]);
  return count > 0;
}

/** Sets an automatic title unless the conversation was renamed meanwhile (its title is no
 * longer `expected`, by default the default title). */
export async function setTitleIfUnchanged(
  db: Database,
  args: { userId: string; conversationId: string; title: string; expected?: string },
) {
  const { count } = await db.prisma.conversation.updateMany({
    where: { id: args.conversationId, userId: args.userId, title: args.expected ?? DEFAULT_TITLE },
    data: { title: args.title },
  });
  return count > 0;
}

// ---------------------------------------------------------------------------------------
// Messages: reading

export function findMessage(db: Database, userId: string, id: string) {
  return db.prisma.message.findFirst({ where: { id, userId }, select: messageSelect });
}

/** The whole active branch for an export, oldest first, up to `limit` messages. */
export async function exportBranch(
  db: Database,
  args: { userId: string; conversationId: string; limit: number },
) {
  const rows = await db.prisma.message.findMany({
    where: { conversationId: args.conversationId, userId: args.userId, active: true },
    orderBy: { depth: "asc" },
    take: args.limit + 1,
    select: messageSelect,
  });
  return { items: rows.slice(0, args.limit), truncated: rows.length > args.limit };
}

/** What `chat.send` returned the first time for this client message id, for a retry. */
export async function findExchangeByClientId(
  db: Database,
  userId: string,
  clientMessageId: string,
) {
  const userMessage = await db.prisma.message.findUnique({
    where: { userId_clientMessageId: { userId, clientMessageId } },
    select: messageSelect,
  });
  if (!userMessage) return null;
  const [assistantMessage, conversation] = await Promise.all([
    db.prisma.message.findFirst({
      where: { parentId: userMessage.id, userId, role: "assistant" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: messageSelect,
    }),
    getConversation(db, userId, userMessage.conversationId),
  ]);
  if (!assistantMessage || !conversation) return null;
  return { conversation, userMessage, assistantMessage };
}

// ---------------------------------------------------------------------------------------
// Messages: changing the tree

export interface CreateExchangeArgs {
  userId: string;
  /** An existing conversation, or the settings of a new one. */
  conversation: { id: string } | { create: ConversationSettings };
  content: string;
  clientMessageId: string;
  /** "tip": continue the active branch; null: a new root; an id: edit, as a new branch
   * after that (assistant) message. */
  parent: "tip" | null | string;
  model: string | null;
  leaseExpiresAt: Date;
  /** Files (already checked to be the user's) the user message carries, in order. */
  attachmentIds?: string[];
}

/**
 * The exchange in one statement: the parent (the tip, none, or a named reply) is checked,
 * the branch from its depth on deactivated, the user message (with its files) and the
 * assistant placeholder inserted and the conversation touched or created, every write
 * conditional on the check. Params: $1 user, $2 conversation, $3 parent mode (tip, root,
 * id), $4 parent id, $5/$6 the new message ids, $7 content, $8 client message id, $9 model,
 * $10 lease, $11 whether the conversation is new, $12–$15 its title, model, system prompt
 * and temperature, $16 the file ids.
 */
const CREATE_EXCHANGE_SQL = `WITH parent AS (
  (SELECT id, depth, role, status FROM messages
   WHERE $3::text = 'tip' AND conversation_id = $2::uuid AND user_id = $1::uuid AND active
   ORDER BY depth DESC LIMIT 1)
  UNION ALL
  (SELECT id, depth, role, status FROM messages
   WHERE $3::text = 'id' AND user_id = $1::uuid AND id = $4::uuid AND conversation_id = $2::uuid)
),
settled AS (
  SELECT CASE
           WHEN $3::text = 'tip' AND p.status = 'streaming' THEN 'streaming'
           WHEN $3::text = 'id' AND p.id IS NULL THEN 'no-parent'
           WHEN $3::text = 'id' AND p.role <> 'assistant' THEN 'not-a-reply'
           ELSE 'ok'
         END AS outcome,
         p.id AS parent_id,
         COALESCE(p.depth + 1, 0) AS depth
  FROM (SELECT 1) AS one LEFT JOIN parent p ON true
),
created AS (
  INSERT INTO conversations (id, user_id, title, model, system_prompt, temperature, created_at, updated_at)
  SELECT $2::uuid, $1::uuid, $12::text, $13::text, $14::text, $15::float8, now(), now()
  FROM settled WHERE $11::boolean AND outcome = 'ok'
  RETURNING ${CONVERSATION_COLUMNS}
),
touched AS (
  UPDATE conversations SET updated_at = now()
  WHERE NOT $11::boolean AND user_id = $1::uuid AND id = $2::uuid
    AND (SELECT outcome FROM settled) = 'ok'
  RETURNING ${CONVERSATION_COLUMNS}
),
deactivated AS (
  UPDATE messages SET active = false, updated_at = now()
  WHERE conversation_id = $2::uuid AND user_id = $1::uuid AND active
    AND depth >= (SELECT depth FROM settled) AND (SELECT outcome FROM settled) = 'ok'
  RETURNING 1
),
question AS (
  INSERT INTO messages (id, conversation_id, user_id, parent_id, depth, active, role, content,
                        status, client_message_id, created_at, updated_at)
  SELECT $5::uuid, $2::uuid, $1::uuid, parent_id, depth, true, 'user', $7::text, 'complete',
         $8::text, now(), now()
  FROM settled WHERE outcome = 'ok'
  RETURNING ${MESSAGE_COLUMNS}
),
answer AS (
  INSERT INTO messages (id, conversation_id, user_id, parent_id, depth, active, role, content,
                        status, model, lease_expires_at, created_at, updated_at)
  SELECT $6::uuid, $2::uuid, $1::uuid, $5::uuid, depth + 1, true, 'assistant', '', 'streaming',
         $9::text, $10::timestamptz, now(), now()
  FROM settled WHERE outcome = 'ok'
  RETURNING ${MESSAGE_COLUMNS}
),
carried AS (
  INSERT INTO message_attachments (user_id, message_id, file_id, position)
  SELECT $1::uuid, $5::uuid, f.id, f.n - 1
  FROM unnest($16::uuid[]) WITH ORDINALITY AS f(id, n)
  WHERE (SELECT outcome FROM settled) = 'ok'
  RETURNING 1
),
marked AS (
  UPDATE files SET attached_at = now()
  WHERE user_id = $1::uuid AND id = ANY($16::uuid[]) AND attached_at IS NULL
    AND (SELECT outcome FROM settled) = 'ok'
  RETURNING 1
)
SELECT s.outcome,
       (SELECT row_to_json(c) FROM (SELECT * FROM created UNION ALL SELECT * FROM touched) c)
         AS conversation,
       (SELECT row_to_json(q) FROM question q) AS "userMessage",
       (SELECT row_to_json(a) FROM answer a) AS "assistantMessage"
FROM settled s`;

type Json<Row> = { [K in keyof Row]: Row[K] extends Date ? string : Row[K] };

function datesOf<Row extends { createdAt: Date; updatedAt: Date }>(row: Json<Row>): Row {
  return { ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) } as Row;
}

/**
 * Stores a user message and the assistant placeholder (`streaming`) atomically, making them
 * the active branch from their depth on. A repeated clientMessageId fails with
 * UniqueViolationError; the caller then returns the first exchange. In an existing
 * conversation the conversation row is locked first, in its own statement: a statement's
 * snapshot is taken when it starts, so a send that waited for another's lock must read the
 * tip afterwards to see that send's messages.
 */
export async function createExchange(db: Database, args: CreateExchangeArgs) {
  const isNew = "create" in args.conversation;
  const conversationId = "create" in args.conversation ? randomUUID() : args.conversation.id;
  const settings = "create" in args.conversation ? args.conversation.create : {};
  const userMessageId = randomUUID();
  const params = [
    args.userId,
    conversationId,
    args.parent === "tip" ? "tip" : args.parent === null ? "root" : "id",
    typeof args.parent === "string" && args.parent !== "tip" ? args.parent : null,
    userMessageId,
    randomUUID(),
    args.content,
    args.clientMessageId,
    args.model,
    args.leaseExpiresAt,
    isNew,
    settings.title ?? DEFAULT_TITLE,
    settings.model ?? null,
    settings.systemPrompt ?? null,
    settings.temperature ?? null,
    args.attachmentIds ?? [],
  ];
  const write = async (sql: RawSql) => {
    if (!isNew) await lockConversation(sql, args.userId, conversationId);
    const [row] = await sql.query<{
      outcome: "ok" | "streaming" | "no-parent" | "not-a-reply";
      conversation: Json<ConversationRow>;
      userMessage: Json<MessageRow>;
      assistantMessage: Json<MessageRow>;
    }>(CREATE_EXCHANGE_SQL, params);
    switch (row!.outcome) {
      case "streaming":
        throw new ChatRuleError(
          "CONFLICT",
          "A reply is still being written; wait for it or stop it first",
        );
      case "no-parent":
        throw new ChatRuleError("NOT_FOUND", "Parent message not found", { field: "parentId" });
      case "not-a-reply":
        throw new ChatRuleError(
          "BAD_REQUEST",
          "parentId must be a reply (an assistant message), or null for the first message",
          { field: "parentId" },
        );
    }
    return {
      conversation: datesOf<ConversationRow>(row!.conversation),
      userMessage: datesOf<MessageRow>(row!.userMessage),
      assistantMessage: datesOf<MessageRow>(row!.assistantMessage),
    };
  };
  // A new conversation is nobody else's yet: its one statement needs no lock or transaction.
  return rethrowUnique(isNew ? write(db.sql) : db.transaction(write));
}

/**
 * A new reply beside an existing one (same parent and depth), made the active branch.
 * The replaced reply and what followed it stay, inactive, for the branch switcher.
 */
export async function createRegeneration(
  db: Database,
  args: { userId: string; messageId: string; model: string | null; leaseExpiresAt: Date },
) {
  return db.prisma.$transaction(async (tx) => {
    const original = await tx.message.findFirst({
      where: { id: args.messageId, userId: args.userId },
      select: {
        id: true,
        conversationId: true,
        parentId: true,
        depth: true,
        role: true,
        status: true,
        model: true,
      },
    });
    if (!original)
      throw new ChatRuleError("NOT_FOUND", "Message not found", { field: "messageId" });
    if (original.role !== "assistant" || original.parentId === null) {
      throw new ChatRuleError("BAD_REQUEST", "Only replies can be regenerated", {
        field: "messageId",
      });
    }
    await lockConversation(tx, args.userId, original.conversationId);
    const current = await tx.message.findUniqueOrThrow({
      where: { userId_id: { userId: args.userId, id: original.id } },
      select: { status: true },
    });
    if (current.status === "streaming") {
      throw new ChatRuleError("CONFLICT", "This reply is still being written; stop it first");
    }
    await activatePath(tx, args.userId, original.conversationId, original.parentId, original.depth);
    const assistantMessage = await tx.message.create({
      data: {
        conversationId: original.conversationId,
        userId: args.userId,
        parentId: original.parentId,
        depth: original.depth,
        role: "assistant",
        status: "streaming",
        model: args.model ?? original.model,
        leaseExpiresAt: args.leaseExpiresAt,
      },
      select: messageSelect,
    });
    await tx.conversation.update({
      where: { userId_id: { userId: args.userId, id: original.conversationId } },
      data: { updatedAt: new Date() },
    });
    return { assistantMessage };
  });
}

/**
 * Makes the branch through `messageId` the active one: its ancestors, itself, and below it
 * the most recent child at each level.
 */
export async function switchBranch(db: Database, userId: string, messageId: string) {
  return db.prisma.$transaction(async (tx) => {
    const target = await tx.message.findFirst({
      where: { id: messageId, userId },
      select: { id: true, conversationId: true, depth: true, active: true },
    });
    if (!target) throw new ChatRuleError("NOT_FOUND", "Message not found", { field: "messageId" });
    await lockConversation(tx, userId, target.conversationId);
    const fresh = await tx.message.findUniqueOrThrow({
      where: { userId_id: { userId, id: target.id } },
      select: { active: true },
    });
    if (fresh.active) return { conversationId: target.conversationId, changed: false };

    const descendants = await latestDescendantChain(tx, userId, target.id);
    await activatePath(tx, userId, target.conversationId, target.id, target.depth + 1);
    if (descendants.length) {
      await tx.message.updateMany({
        where: { id: { in: descendants }, userId },
        data: { active: true },
      });
    }
    return { conversationId: target.conversationId, changed: true };
  });
}

/**
 * Activates `messageId` and its inactive ancestors, and deactivates every active message
 * from the first changed depth on (at least from `endDepth`): afterwards the active chain
 * ends at `messageId`. Walks up only until the first active ancestor, since the active
 * messages always form one chain from the root.
 */
async function activatePath(
  tx: Tx,
  userId: string,
  conversationId: string,
  messageId: string,
  endDepth: number,
) {
  // Every step filtered by user_id: on Citus the whole walk stays on the user's shard.
  const path = await tx.$queryRaw<Array<{ id: string; depth: number; active: boolean }>>`
    WITH RECURSIVE path AS (
      SELECT id, parent_id, depth, active FROM messages
      WHERE id = ${messageId}::uuid AND conversation_id = ${conversationId}::uuid
        AND user_id = ${userId}::uuid
      UNION ALL
      SELECT m.id, m.parent_id, m.depth, m.active
      FROM messages m JOIN path p ON m.id = p.parent_id
      WHERE NOT p.active AND m.user_id = ${userId}::uuid
    )
    SELECT id::text AS id, depth, active FROM path`;
  const inactive = path.filter((m) => !m.active);
  const fromDepth = Math.min(endDepth, ...inactive.map((m) => m.depth));
  await tx.message.updateMany({
    where: { conversationId, userId, active: true, depth: { gte: fromDepth } },
    data: { active: false },
  });
  if (inactive.length) {
    await tx.message.updateMany({
      where: { id: { in: inactive.map((m) => m.id) }, userId },
      data: { active: true },
    });
  }
}

/** Below `messageId`: the newest child, then its newest child, and so on. */
async function latestDescendantChain(tx: Tx, userId: string, messageId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string; parent_id: string; created_at: Date }>>`
    WITH RECURSIVE subtree AS (
      SELECT id, parent_id, created_at FROM messages
      WHERE parent_id = ${messageId}::uuid AND user_id = ${userId}::uuid
      UNION ALL
      SELECT m.id, m.parent_id, m.created_at FROM messages m JOIN subtree s ON m.parent_id = s.id
      WHERE m.user_id = ${userId}::uuid
    )
    SELECT id::text AS id, parent_id::text AS parent_id, created_at FROM subtree`;
  const newestChild = new Map<string, { id: string; at: number }>();
  for (const row of rows) {
    const at = new Date(row.created_at).getTime();
    const best = newestChild.get(row.parent_id);
    if (!best || at > best.at || (at === best.at && row.id > best.id))
      newestChild.set(row.parent_id, { id: row.id, at });
  }
  const chain: string[] = [];
  for (let next = newestChild.get(messageId); next; next = newestChild.get(next.id))
    chain.push(next.id);
  return chain;
}

const LOCK_CONVERSATION_SQL = `SELECT id::text AS id FROM conversations
WHERE id = $1::uuid AND user_id = $2::uuid
FOR UPDATE`;

/** Holds the conversation's row until the transaction ends: writes to one conversation's
 * tree take turns. Prisma's transactions and hand-written ones (`sql`) alike. */
async function lockConversation(tx: Tx | RawSql, userId: string, conversationId: string) {
  const rows =
    "query" in tx
      ? await tx.query(LOCK_CONVERSATION_SQL, [conversationId, userId])
      : await tx.$queryRawUnsafe<Array<{ id: string }>>(
          LOCK_CONVERSATION_SQL,
          conversationId,
          userId,
        );
  if (!rows.length)
    throw new ChatRuleError("NOT_FOUND", "Conversation not found", { field: "conversationId" });
}

// ---------------------------------------------------------------------------------------
// Replies being generated. Every write is conditional on `status = streaming`: once a reply
// is final (stopped by a user, swept as interrupted, or deleted) no late write revives it,
// and a generator whose write matched nothing knows to give up.

/** The reply being written: its id and its owner's (every write names both). */
export interface ReplyRef {
  userId: string;
  messageId: string;
}

export async function saveReplyProgress(
  db: Database,
  reply: ReplyRef,
  content: string,
  leaseExpiresAt: Date,
) {
  const { count } = await db.prisma.message.updateMany({
    where: { id: reply.messageId, userId: reply.userId, status: "streaming" },
    data: { content, leaseExpiresAt },
  });
  return count > 0;
}

/**
 * Saves the partial text of many replies being generated, and renews their leases, in one
 * statement: a process streaming a thousand replies writes once per flush interval, not
 * once per reply. Returns the ids still `streaming`; a missing one was finalized elsewhere.
 */
export async function saveRepliesProgress(
  db: Database,
  replies: Array<{ id: string; userId: string; content: string }>,
  leaseExpiresAt: Date,
): Promise<Set<string>> {
  if (!replies.length) return new Set();
  const rows = await db.sql.query<{ id: string }>(
    `UPDATE messages AS m
     SET content = v.content, lease_expires_at = $4::timestamptz, updated_at = now()
     FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS v(id, user_id, content)
     WHERE m.id = v.id AND m.user_id = v.user_id AND m.status = 'streaming'
     RETURNING m.id::text AS id`,
    [
      replies.map((r) => r.id),
      replies.map((r) => r.userId),
      replies.map((r) => r.content),
      leaseExpiresAt,
    ],
  );
  return new Set(rows.map((r) => r.id));
}

export async function renewReplyLease(db: Database, reply: ReplyRef, leaseExpiresAt: Date) {
  const { count } = await db.prisma.message.updateMany({
    where: { id: reply.messageId, userId: reply.userId, status: "streaming" },
    data: { leaseExpiresAt },
  });
  return count > 0;
}

export interface ReplyOutcome {
  status: Exclude<ReplyStatus, "streaming">;
  content: string;
  error?: string | null;
  model?: string | null;
  promptTokens?: number | null;
  completionTokens?: number | null;
  /** The figures are Parley's count, not the provider's. */
  usageEstimated?: boolean;
}

/** Writes a reply's final state; false when it was already final (or deleted). */
export async function finishReply(
  db: Database,
  reply: ReplyRef,
  outcome: ReplyOutcome,
  onlyIfLeaseBefore?: Date,
) {
  const { count } = await db.prisma.message.updateMany({
    where: {
      id: reply.messageId,
      userId: reply.userId,
      status: "streaming",
      ...(onlyIfLeaseBefore && { leaseExpiresAt: { lt: onlyIfLeaseBefore } }),
    },
    data: {
      status: outcome.status,
      content: outcome.content,
      error: outcome.error ? outcome.error.slice(0, 500) : null,
      ...(outcome.model !== undefined && { model: outcome.model }),
      promptTokens: outcome.promptTokens ?? null,
      completionTokens: outcome.completionTokens ?? null,
      usageEstimated: outcome.usageEstimated ?? false,
      leaseExpiresAt: null,
    },
  });
  return count > 0;
}

/** Replies still `streaming` whose generator stopped renewing its lease. */
export function findLapsedReplies(db: Database, now: Date, limit: number) {
  return db.prisma.message.findMany({
    where: { status: "streaming", leaseExpiresAt: { lt: now } },
    orderBy: { leaseExpiresAt: "asc" },
    take: limit,
    select: {
      id: true,
      userId: true,
      content: true,
      conversationId: true,
      parentId: true,
      depth: true,
      model: true,
      createdAt: true,
    },
  });
}

/** The current state of one reply, for subscribers and the stop procedure. */
export function replyState(db: Database, reply: ReplyRef) {
  return db.prisma.message.findUnique({
    where: { userId_id: { userId: reply.userId, id: reply.messageId } },
    select: {
      status: true,
      content: true,
      model: true,
      error: true,
      promptTokens: true,
      completionTokens: true,
      leaseExpiresAt: true,
    },
  });
}
