import { chat, files, type Database } from "@parley/db";
import { promptContent, type FilesRuntime } from "../../core/files";
import type { KeyRing } from "../../core/crypto";
import { countMessageTokens } from "../../core/tokenizer";
import type { ChatTurn } from "./provider";

const pageSize = 50;

/**
 * The prompt for the reply at `replyDepth`: the system prompt, then the branch's messages
 * before the reply, newest kept first until the token budget is spent. The message right
 * before the reply (the user's) is always included, whatever its size.
 */
export async function buildPrompt(
  db: Database,
  args: {
    /** The conversation's owner. */
    userId: string;
    conversationId: string;
    replyDepth: number;
    systemPrompt: string | null;
    tokenBudget: number;
    /** Where the owner's attachments are read from; without it messages go as their text. */
    attachments?: PromptAttachments;
  },
): Promise<ChatTurn[]> {
  let budget =
    args.tokenBudget -
    (args.systemPrompt ? countMessageTokens({ role: "system", content: args.systemPrompt }) : 0);
  const kept: ChatTurn[] = [];
  let belowDepth = args.replyDepth;
  pages: while (belowDepth > 0) {
    const rows = await chat.promptMessages(db, {
      userId: args.userId,
      conversationId: args.conversationId,
      belowDepth,
      take: pageSize,
    });
    for (const row of rows) {
      belowDepth = row.depth;
      // Failed or stopped replies without text add nothing a model could use.
      if (!row.content) continue;
      // Attached documents' text counts against the budget like the message's own.
      const turn: ChatTurn =
        row.role === "user" && args.attachments
          ? { role: "user", content: await withAttachments(db, args, row) }
          : { role: row.role, content: row.content };
      const cost = countMessageTokens(turn);
      if (kept.length && cost > budget) break pages;
      budget -= cost;
      kept.push(turn);
    }
    if (rows.length < pageSize) break;
  }
  kept.reverse();
  // Cut at the budget, the prompt could open with a reply; models expect a user turn first.
  while (kept.length > 1 && kept[0]?.role === "assistant") kept.shift();
  return args.systemPrompt ? [{ role: "system", content: args.systemPrompt }, ...kept] : kept;
}

export interface PromptAttachments {
  /** The conversation's owner. */
  userId: string;
  files: FilesRuntime;
  keyRing: KeyRing;
}

async function withAttachments(
  db: Database,
  args: { attachments?: PromptAttachments },
  row: { id: string; content: string },
) {
  if (!args.attachments) return row.content;
  const { userId, files: runtime, keyRing } = args.attachments;
  const attached = await files.filesOfMessage(db, userId, row.id);
  return promptContent(runtime, keyRing, attached, row.content);
}
