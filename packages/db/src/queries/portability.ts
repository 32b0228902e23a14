import { randomUUID } from "node:crypto";
import type { Database } from "../client";
import type { Prisma } from "../generated/prisma/client";
import type { MessageRole, MessageStatus } from "../generated/prisma/enums";
import { conversationSelect } from "./chat";
import type { Rating } from "./feedback";

/**
 * Moving a user's history in and out: an import writes whole conversations in one
 * transaction (nothing of a failed import stays), an export reads them a page at a time.
 */

export interface ImportMessage {
  /** The message's id in the file; parents refer to it. */
  key: string;
  parentKey: string | null;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  model: string | null;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  createdAt: Date;
  /** On the visible branch: exactly one per depth, one chain from a root. */
  active: boolean;
  /** The owner's thumbs up or down; only a reply carries one. */
  rating?: Rating | null;
}

export interface ImportConversation {
  title: string;
  model: string | null;
  systemPrompt: string | null;
  temperature: number | null;
  pinned: boolean;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Parents before their children. */
  messages: ImportMessage[];
}

const CHUNK = 500;

/** Writes the conversations, all or nothing; returns the new conversations' ids. */
export async function importConversations(
  db: Database,
  userId: string,
  conversations: ImportConversation[],
): Promise<string[]> {
  const ids: string[] = [];
  const conversationRows: Prisma.ConversationCreateManyInput[] = [];
  const messageRows: Array<Prisma.MessageCreateManyInput & { depth: number }> = [];
  const ratingRows: Prisma.MessageFeedbackCreateManyInput[] = [];
  for (const conversation of conversations) {
    const conversationId = randomUUID();
    ids.push(conversationId);
    const { messages, ...fields } = conversation;
    conversationRows.push({ id: conversationId, userId, ...fields });
    const placed = new Map<string, { id: string; depth: number }>();
    for (const message of messages) {
      const parent = message.parentKey === null ? null : placed.get(message.parentKey);
      if (parent === undefined) throw new Error(`message ${message.key} comes before its parent`);
      const row = {
        id: randomUUID(),
        conversationId,
        userId,
        parentId: parent?.id ?? null,
        depth: parent ? parent.depth + 1 : 0,
        active: message.active,
        role: message.role,
        content: message.content,
        status: message.status,
        model: message.model,
        error: message.error,
        promptTokens: message.promptTokens,
        completionTokens: message.completionTokens,
        createdAt: message.createdAt,
        updatedAt: message.createdAt,
      };
      placed.set(message.key, { id: row.id, depth: row.depth });
      messageRows.push(row);
      if (message.rating && message.role === "assistant")
        ratingRows.push({ userId, messageId: row.id, rating: message.rating });
    }
  }
  // Parents first, so every row's parent exists when it is written.
  messageRows.sort((a, b) => a.depth - b.depth);
  await db.prisma.$transaction(
    async (tx) => {
      for (let i = 0; i < conversationRows.length; i += CHUNK)
        await tx.conversation.createMany({ data: conversationRows.slice(i, i + CHUNK) });
      for (let i = 0; i < messageRows.length; i += CHUNK)
        await tx.message.createMany({ data: messageRows.slice(i, i + CHUNK) });
      for (let i = 0; i < ratingRows.length; i += CHUNK)
        await tx.messageFeedback.createMany({ data: ratingRows.slice(i, i + CHUNK) });
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  return ids;
}

/** The user's conversations, oldest first, `limit` after the one with id `after`. */
export function conversationsPage(
  db: Database,
  userId: string,
  args: { after: { createdAt: Date; id: string } | null; limit: number },
) {
  const after = args.after;
  return db.prisma.conversation.findMany({
    where: {
      userId,
      ...(after
        ? {
            OR: [
              { createdAt: { gt: after.createdAt } },
              { createdAt: after.createdAt, id: { gt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: args.limit,
    select: conversationSelect,
  });
}

/**
 * Every message of the conversations, every branch, parents before children, each with the
 * owner's rating (null when unrated).
 */
export async function messagesOfConversations(
  db: Database,
  userId: string,
  conversationIds: string[],
) {
  const rows = await db.prisma.message.findMany({
    where: { userId, conversationId: { in: conversationIds } },
    orderBy: [{ depth: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      conversationId: true,
      parentId: true,
      active: true,
      role: true,
      content: true,
      status: true,
      model: true,
      error: true,
      promptTokens: true,
      completionTokens: true,
      createdAt: true,
      // The (user_id, message_id) key: only the owner's own rating of their reply.
      feedback: { select: { rating: true } },
    },
  });
  return rows.map(({ feedback, ...m }) => ({ ...m, rating: feedback?.rating ?? null }));
}
