/**
 * What /v1 answers, spelled out in OpenAI's shapes (rather than taken from the provider's
 * reply), so every answer has exactly these fields whatever the provider sent.
 */

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "function_call";

export interface UsageOut {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ModelListOut {
  object: "list";
  data: { id: string; object: "model"; created: number; owned_by: string }[];
}

export interface ChatCompletionOut {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string; refusal: null; annotations: [] };
    logprobs: null;
    finish_reason: FinishReason;
  }[];
  usage: UsageOut;
  system_fingerprint: null;
}

export interface ChatCompletionChunkOut {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  system_fingerprint: null;
  choices: {
    index: number;
    delta: { role?: "assistant"; content?: string };
    logprobs: null;
    finish_reason: FinishReason | null;
  }[];
  /** With `stream_options.include_usage`: null on every chunk but the last, which has no
   * choices and the request's usage. */
  usage?: UsageOut | null;
}
