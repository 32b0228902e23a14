import { chat, files, type Database } from "@parley/db";
import { promptContent, type FilesRuntime } from "../../core/files";
import type { KeyRing } from "../../core/crypto";
import { countMessageTokens } from "../../core/tokenizer";
import type { ChatTurn } from "./provider";

export const PROMPT_PAGE_SIZE = 50;
const pageSize = PROMPT_PAGE_SIZE;

/** The first page of a prompt, when the caller already holds it (chat.send reads the branch
 * while it checks the conversation, and adds the message it just stored): newest first. */
export interface PromptStart {
  rows: chat.PromptRow[];
  /** The branch goes on below the last row. */
  hasMore: boolean;
}

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
    /** The first page, already read (see PromptStart); else it is read like the rest. */
    start?: PromptStart;
  },
): Promise<ChatTurn[]> {
  let budget =
    args.tokenBudget -
    (args.systemPrompt ? countMessageTokens({ role: "system", content: args.systemPrompt }) : 0);
  const kept: ChatTurn[] = [];
  let belowDepth = args.replyDepth;
  let start = args.start;
  pages: while (belowDepth > 0) {
    let rows: chat.PromptRow[];
    let hasMore: boolean;
    if (start) {
      ({ rows, hasMore } = start);
      start = undefined;
    } else {
      rows = await chat.promptPage(db, {
        userId: args.userId,
        conversationId: args.conversationId,
        belowDepth,
        take: pageSize,
      });
      hasMore = rows.length === pageSize;
    }
    for (const row of rows) {
      belowDepth = row.depth;
      // Failed or stopped replies without text add nothing a model could use; a question
      // may be only its attachments.
      if (!row.content && !(row.role === "user" && row.hasAttachments && args.attachments))
        continue;
      // Attached documents' text counts against the budget like the message's own.
      const turn: ChatTurn | null =
        row.role === "user" && row.hasAttachments && args.attachments
          ? await withAttachments(db, args.attachments, row)
          : { role: row.role, content: row.content };
      if (!turn) continue;
      const cost = countMessageTokens(turn);
      if (kept.length && cost > budget) break pages;
      budget -= cost;
      kept.push(turn);
    }
    if (!hasMore) break;
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
  { userId, files: runtime, keyRing }: PromptAttachments,
  row: { id: string; content: string },
): Promise<ChatTurn | null> {
  const attached = await files.filesOfMessage(db, userId, row.id);
  if (attached.length === 0 && !row.content) return null;
  return { role: "user", content: await promptContent(runtime, keyRing, attached, row.content) };
}
