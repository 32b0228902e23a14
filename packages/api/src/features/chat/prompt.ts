import { chat, type Database } from "@parley/db";
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
    conversationId: string;
    replyDepth: number;
    systemPrompt: string | null;
    tokenBudget: number;
  },
): Promise<ChatTurn[]> {
  let budget =
    args.tokenBudget -
    (args.systemPrompt ? countMessageTokens({ role: "system", content: args.systemPrompt }) : 0);
  const kept: ChatTurn[] = [];
  let belowDepth = args.replyDepth;
  pages: while (belowDepth > 0) {
    const rows = await chat.promptMessages(db, args.conversationId, belowDepth, pageSize);
    for (const row of rows) {
      belowDepth = row.depth;
      // Failed or stopped replies without text add nothing a model could use.
      if (!row.content) continue;
      const cost = countMessageTokens(row);
      if (kept.length && cost > budget) break pages;
      budget -= cost;
      kept.push({ role: row.role, content: row.content });
    }
    if (rows.length < pageSize) break;
  }
  kept.reverse();
  // Cut at the budget, the prompt could open with a reply; models expect a user turn first.
  while (kept.length > 1 && kept[0]?.role === "assistant") kept.shift();
  return args.systemPrompt ? [{ role: "system", content: args.systemPrompt }, ...kept] : kept;
}
