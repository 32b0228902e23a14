import { randomBytes } from "node:crypto";
import { chat, share } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import { SHARE_TOKEN } from "./schemas";

/** What this feature reads of AppDeps. */
export type ShareDeps = Pick<AppDeps, "db">;

/** Messages a snapshot holds at most (the rest of a longer branch is left out). */
export const SHARE_MESSAGE_LIMIT = 2_000;

const shareNotFound = () => new DomainError("NOT_FOUND", "This link was revoked or never existed");

/** The public token: who owns the link, and its 256-bit secret. */
function encodeToken(userId: string, secret: string): string {
  return Buffer.from(userId.replace(/-/g, ""), "hex").toString("base64url") + secret;
}

function decodeToken(token: string): { userId: string; secret: string } | null {
  if (!SHARE_TOKEN.test(token)) return null;
  const hex = Buffer.from(token.slice(0, 22), "base64url").toString("hex");
  if (hex.length !== 32) return null;
  const userId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { userId, secret: token.slice(22) };
}

const publicShare = (userId: string, row: share.ShareRow) => ({
  id: row.id,
  conversationId: row.conversationId,
  token: encodeToken(userId, row.secret),
  title: row.title,
  messageCount: row.messageCount,
  createdAt: row.createdAt,
});
export type ShareInfo = ReturnType<typeof publicShare>;

/** Snapshots the conversation's active branch as it is now behind a new link. */
export async function createShare(
  deps: ShareDeps,
  userId: string,
  conversationId: string,
): Promise<ShareInfo> {
  const conversation = await chat.getConversation(deps.db, userId, conversationId);
  if (!conversation)
    throw new DomainError("NOT_FOUND", "Conversation not found", { field: "conversationId" });
  const { items } = await chat.exportBranch(deps.db, {
    userId,
    conversationId,
    limit: SHARE_MESSAGE_LIMIT,
  });
  // A reply still being written is shared as far as it got; an empty placeholder is not.
  const messages = items
    .filter((m) => m.content.length > 0 || m.role === "user")
    .map((m) => ({
      role: m.role,
      content: m.content,
      model: m.model,
      status: m.status,
      createdAt: m.createdAt.toISOString(),
    }));
  if (messages.length === 0)
    throw new DomainError("BAD_REQUEST", "There is nothing to share in this conversation yet", {
      field: "conversationId",
    });
  const row = await share.createShare(deps.db, {
    userId,
    conversationId,
    secret: randomBytes(32).toString("base64url"),
    title: conversation.title,
    messages,
  });
  return publicShare(userId, row);
}

export async function listShares(deps: ShareDeps, userId: string, conversationId?: string) {
  const rows = await share.listShares(deps.db, userId, conversationId);
  return rows.map((row) => publicShare(userId, row));
}

export async function revokeShare(deps: ShareDeps, userId: string, id: string) {
  if (!(await share.deleteShare(deps.db, userId, id))) throw shareNotFound();
  return { id };
}

/** What anyone holding the link may read: the snapshot, without ids or usage. */
export async function viewShare(deps: ShareDeps, token: string) {
  const owner = decodeToken(token);
  const found = owner ? await share.findSharedSnapshot(deps.db, owner.userId, owner.secret) : null;
  if (!found) throw shareNotFound();
  return found;
}

/** For the server's page at /s/:token: whether the link is live (else it answers 404). */
export async function shareExists(deps: ShareDeps, token: string): Promise<boolean> {
  return viewShare(deps, token).then(
    () => true,
    (error: unknown) => {
      if (error instanceof DomainError && error.code === "NOT_FOUND") return false;
      throw error;
    },
  );
}
