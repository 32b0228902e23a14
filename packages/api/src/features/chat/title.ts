import { chat } from "@parley/db";
import type { ModelProvider } from "./registry";

const instructions =
  "Write a short title, at most six words, for a conversation that starts with the user's " +
  "message below. Answer with the title only: no quotes, no punctuation at the end.";

/**
 * A short title for a new conversation: asked of the model, or, when that fails, the first
 * words of the user's message.
 */
export async function generateTitle(
  provider: ModelProvider,
  args: { model: string; userText: string; signal: AbortSignal },
): Promise<string> {
  try {
    const raw = await provider.complete({
      model: args.model,
      messages: [
        { role: "system", content: instructions },
        { role: "user", content: args.userText.slice(0, 2_000) },
      ],
      maxTokens: 24,
      signal: args.signal,
    });
    const title = cleanTitle(raw);
    if (title) return title;
  } catch {
    // Fall through: a title from the user's words is better than none.
  }
  return fallbackTitle(args.userText);
}

/** First line, without markdown, quotes, a "Title:" label or a trailing period; ≤ 80 chars. */
export function cleanTitle(raw: string): string {
  const line =
    raw
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "";
  const text = line
    .replace(/^#+\s*/, "")
    .replace(/^title\s*:\s*/i, "")
    .replace(/[*_`]/g, "")
    .replace(/^["'«“]+|["'»”]+$/g, "")
    .replace(/[.。!]+$/, "")
    .replace(/\s+/g, " ")
    .trim();
  return truncate(text, 80);
}

export function fallbackTitle(userText: string): string {
  const words = userText.replace(/\s+/g, " ").trim().split(" ").slice(0, 8).join(" ");
  return truncate(words, 60) || chat.DEFAULT_TITLE;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
