/** The environment's model provider (the "environment" one beside those admins add in
 * Settings → Providers) and what it offers. Built from the server's env. */
export interface AiConfig {
  /** OPENAI_BASE_URL: an OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM, ...). */
  baseUrl?: string;
  /** OPENAI_API_KEY. Local servers (Ollama, vLLM) usually need none. */
  apiKey?: string;
  /** AI_MODELS: models users may pick. Empty: ask the provider (GET /models). */
  models: string[];
  /** AI_DEFAULT_MODEL, else the first of `models`. */
  defaultModel?: string;
  /** AI_VISION_MODELS: the models that take images; null or absent: every model. */
  visionModels?: readonly string[] | null;
}

/** Timings and limits of chat generation; every one has a default. */
export interface ChatSettings {
  /** A generation's lease on its reply; renewed while alive, swept when it lapses. */
  leaseMs: number;
  /** How often every replica looks for lapsed leases. */
  sweepIntervalMs: number;
  /** Longest wait for the model's first token, and between two chunks. */
  modelTimeoutMs: number;
  /** Prompt size budget in (estimated) tokens, the system prompt included. */
  promptTokenBudget: number;
  /** Least time between two saves of a reply's partial text to the database. */
  saveIntervalMs: number;
  /** A subscriber with no new chunk for this long checks the database for the reply's end. */
  streamCheckMs: number;
  /** How long a finished reply's stream stays on the bus for late readers. */
  finishedStreamTtlMs: number;
  /** How long chat.stop waits for the generator to stop before stopping the reply itself. */
  stopWaitMs: number;
  /** On shutdown, how long running generations may take to finish before being cut off. */
  shutdownGraceMs: number;
  /** Messages (send and regenerate) per user per minute. */
  sendsPerMinute: number;
  /** New conversations per user per minute (sends have their own budget). */
  conversationsPerMinute: number;
}

export const defaultChatSettings: ChatSettings = {
  leaseMs: 30_000,
  sweepIntervalMs: 10_000,
  modelTimeoutMs: 60_000,
  promptTokenBudget: 16_000,
  saveIntervalMs: 500,
  streamCheckMs: 5_000,
  finishedStreamTtlMs: 10 * 60_000,
  stopWaitMs: 2_000,
  shutdownGraceMs: 7_000,
  sendsPerMinute: 30,
  conversationsPerMinute: 60,
};

/** Input limits, shared by the procedures' schemas and their error messages. */
export const chatLimits = {
  content: 32_000,
  title: 200,
  systemPrompt: 8_000,
  /** A model reference: `<provider id>/<model>`, or a bare id of the environment's. */
  model: 200,
  clientMessageId: 64,
  query: 200,
  pageSize: 100,
  exportMessages: 10_000,
  attachments: 10,
  /** Conversations one bulk archive or delete may name. */
  bulk: 200,
} as const;
