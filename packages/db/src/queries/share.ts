import type { Database } from "../client";
import type { Prisma } from "../generated/prisma/client";

/**
 * Read-only links to a snapshot of a conversation. Every lookup names the owner: the public
 * token carries the owner's id beside the secret, so a visit reads one user's rows.
 */

export interface SharedMessage {
  role: "user" | "assistant";
  content: string;
  model: string | null;
  status: string;
  createdAt: string;
}

const shareSelect = {
  id: true,
  conversationId: true,
  secret: true,
  title: true,
  messageCount: true,
  createdAt: true,
} as const;

export type ShareRow = Prisma.SharedConversationGetPayload<{ select: typeof shareSelect }>;

export function createShare(
  db: Database,
  args: {
    userId: string;
    conversationId: string;
    secret: string;
    title: string;
    messages: SharedMessage[];
  },
): Promise<ShareRow> {
  return db.prisma.sharedConversation.create({
    data: {
      userId: args.userId,
      conversationId: args.conversationId,
      secret: args.secret,
      title: args.title,
      snapshot: args.messages as unknown as Prisma.InputJsonValue,
      messageCount: args.messages.length,
    },
    select: shareSelect,
  });
}

/** The owner's links, newest first; of one conversation when `conversationId` is given. */
export function listShares(
  db: Database,
  userId: string,
  conversationId?: string,
): Promise<ShareRow[]> {
  return db.prisma.sharedConversation.findMany({
    where: { userId, ...(conversationId ? { conversationId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 100,
    select: shareSelect,
  });
}

/** False when there was no such link of this user. */
export async function deleteShare(db: Database, userId: string, id: string): Promise<boolean> {
  const { count } = await db.prisma.sharedConversation.deleteMany({ where: { userId, id } });
  return count > 0;
}

/** A visit: the snapshot behind (owner, secret), or null for a revoked or unknown link. */
export async function findSharedSnapshot(db: Database, userId: string, secret: string) {
  const row = await db.prisma.sharedConversation.findUnique({
    where: { userId_secret: { userId, secret } },
    select: { title: true, snapshot: true, createdAt: true },
  });
  if (!row) return null;
  return {
    title: row.title,
    createdAt: row.createdAt,
    messages: row.snapshot as unknown as SharedMessage[],
  };
}
