import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Token counts for when a provider reports none (Ollama without usage, an interrupted
 * stream) and for fitting prompts into a budget. o200k_base is the encoding of OpenAI's
 * current models; for other model families the figure is close, not exact, which is why
 * usage counted here is marked `estimated`.
 */
export function countTextTokens(text: string): number {
  return text ? countO200k(text) : 0;
}

/** OpenAI's chat framing: each message costs a few tokens besides its text. */
const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
const REPLY_PRIMING_TOKENS = 3;
/** What one image part is counted as without the provider's figure: OpenAI's price of a
 * low-detail image (high detail costs more; the figure is an estimate either way). */
export const IMAGE_PART_TOKENS = 85;

export interface CountableMessage {
  role: string;
  content: string | ReadonlyArray<{ type: string; text?: string }> | null | undefined;
}

/** The prompt tokens of a chat request, framing included. */
export function countPromptTokens(messages: ReadonlyArray<CountableMessage>): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) total += countMessageTokens(message);
  return total;
}

/** One message's tokens, framing included. */
export function countMessageTokens(message: CountableMessage): number {
  let total = TOKENS_PER_MESSAGE + countTextTokens(message.role);
  const content = message.content;
  if (typeof content === "string") return total + countTextTokens(content);
  for (const part of content ?? []) {
    total += part.type === "text" ? countTextTokens(part.text ?? "") : IMAGE_PART_TOKENS;
  }
  return total;
}
