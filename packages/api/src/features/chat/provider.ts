import OpenAI from "openai";
import type { PromptPart } from "../../core/files";
import type { HistoryCache } from "../../infra/history-cache";
import type { TokenUsage } from "../../infra/stream-bus";
import { openCompletionStream, type CompletionStreamOptions } from "./completion-stream";
import type { AiConfig } from "./settings";

/** A user turn may carry attachments as content parts (text blocks and images). */
export type ChatTurn =
  | { role: "system" | "assistant"; content: string }
  | { role: "user"; content: string | PromptPart[] };

export interface ModelChunk {
  delta?: string;
  usage?: TokenUsage;
  /** The model the provider says answered (may differ from the one asked for, e.g. a dated alias). */
  model?: string;
}

export interface ModelRequest {
  model: string;
  messages: ChatTurn[];
  temperature?: number | null;
  signal: AbortSignal;
}

/** One OpenAI-compatible endpoint (the environment's, or one an admin added), reached with
 * the `openai` SDK. Model ids here are the endpoint's own. */
export interface ModelEndpoint {
  readonly configured: boolean;
  /** The OpenAI-compatible client itself, for /v1, which forwards a caller's request with
   * all its options; null when the endpoint is not configured. */
  readonly client: OpenAI | null;
  listModels(): Promise<{ models: string[]; defaultModel: string | null }>;
  stream(request: ModelRequest): AsyncIterable<ModelChunk>;
  /** A caller's streamed completion as the provider's chunks (/v1 forwards them); resolves
   * once the provider answers, rejects with its refusal (OpenAI.APIError). */
  streamCompletion(
    body: Record<string, unknown>,
    options: CompletionStreamOptions,
  ): Promise<AsyncIterable<OpenAI.ChatCompletionChunk>>;
  /** One short answer without streaming (used for titles). */
  complete(request: ModelRequest & { maxTokens: number }): Promise<string>;
}

export const setupHint =
  "No model provider is configured. Add one in Settings → Providers (any OpenAI-compatible " +
  "endpoint: OpenAI, Ollama at http://localhost:11434/v1, vLLM at http://localhost:8000/v1, ...), " +
  "or set OPENAI_API_KEY / OPENAI_BASE_URL (and AI_MODELS) and restart Parley.";

const modelListTtlMs = 60_000;

export function createOpenAIEndpoint(
  config: Pick<AiConfig, "baseUrl" | "apiKey" | "models" | "defaultModel">,
  options: {
    /** Shares the endpoint's model list between replicas (one upstream call per minute for
     * the whole deployment); read at each call. */
    cache?: () => HistoryCache | undefined;
    /** The shared cache's key of this endpoint's model list. */
    cacheKey?: string;
  } = {},
): ModelEndpoint {
  const configured = Boolean(config.apiKey || config.baseUrl);
  // Local servers ignore the key, but the SDK insists on one.
  const client = configured
    ? new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey || "not-needed", maxRetries: 0 })
    : null;
  let cachedModels: { models: string[]; at: number } | null = null;

  async function providerModels(): Promise<string[]> {
    const cache = options.cache?.();
    // A failed listing (empty) is not kept: the next call asks again.
    if (cache)
      return cache.shared(
        options.cacheKey ?? "models",
        modelListTtlMs,
        fetchModels,
        (m) => m.length > 0,
      );
    return fetchModels();
  }

  async function fetchModels(): Promise<string[]> {
    if (cachedModels && Date.now() - cachedModels.at < modelListTtlMs) return cachedModels.models;
    try {
      const page = await client!.models.list({ timeout: 5_000 });
      const models = page.data.map((m) => m.id).slice(0, 200);
      cachedModels = { models, at: Date.now() };
      return models;
    } catch {
      return [];
    }
  }

  return {
    configured,
    client,

    async listModels() {
      if (!client) return { models: [], defaultModel: null };
      let models = [...config.models];
      if (config.defaultModel && !models.includes(config.defaultModel))
        models.unshift(config.defaultModel);
      if (!models.length) models = await providerModels();
      return { models, defaultModel: config.defaultModel ?? models[0] ?? null };
    },

    async *stream(request) {
      if (!client) throw new ModelError("not_configured", setupHint);
      const stream = await openCompletionStream(
        client,
        {
          model: request.model,
          messages: request.messages,
          ...(request.temperature != null && { temperature: request.temperature }),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content ?? undefined;
        const usage = chunk.usage
          ? {
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
            }
          : undefined;
        if (delta || usage)
          yield { delta: delta || undefined, usage, model: chunk.model || undefined };
      }
    },

    streamCompletion(body, options) {
      if (!client) throw new ModelError("not_configured", setupHint);
      return openCompletionStream(client, body, options);
    },

    async complete(request) {
      if (!client) throw new ModelError("not_configured", setupHint);
      const reply = await client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          max_tokens: request.maxTokens,
          ...(request.temperature != null && { temperature: request.temperature }),
        },
        { signal: request.signal },
      );
      return reply.choices[0]?.message?.content ?? "";
    },
  };
}

export type ModelErrorKind =
  | "internal"
  | "not_configured"
  | "auth"
  | "rate_limited"
  | "upstream"
  | "bad_request"
  | "model_not_found"
  | "timeout"
  | "connection"
  | "dropped";

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

/**
 * Turns a failure of the model call into a message a user can act on. Upstream details
 * are cut short: they can be long, and are for the operator's logs rather than the user.
 */
export function describeModelError(
  error: unknown,
  context: { model: string; timedOut: boolean; receivedText: boolean; timeoutMs: number },
): ModelError {
  if (error instanceof ModelError) return error;
  const seconds = Math.round(context.timeoutMs / 1000);
  if (context.timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError(
      "timeout",
      context.receivedText
        ? `The model stopped sending for ${seconds} s, so the reply was cut off. You can regenerate it.`
        : `The model did not answer within ${seconds} s. Try again, or check that the model server is running.`,
    );
  }
  if (
    error instanceof OpenAI.AuthenticationError ||
    error instanceof OpenAI.PermissionDeniedError
  ) {
    return new ModelError(
      "auth",
      `The model provider refused Parley's credentials (HTTP ${error.status}). An administrator needs to check the provider's API key (Settings → Providers, or OPENAI_API_KEY).`,
    );
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new ModelError(
      "rate_limited",
      "The model provider is rate-limiting requests (HTTP 429). Wait a moment, then regenerate.",
    );
  }
  if (error instanceof OpenAI.NotFoundError) {
    return new ModelError(
      "model_not_found",
      `The model "${context.model}" is not available at the provider (HTTP 404).`,
    );
  }
  if (error instanceof OpenAI.BadRequestError || error instanceof OpenAI.UnprocessableEntityError) {
    return new ModelError(
      "bad_request",
      `The model provider rejected the request: ${short(error.message)}`,
    );
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ModelError(
      "connection",
      "Parley could not reach the model provider. Try again shortly.",
    );
  }
  if (error instanceof OpenAI.APIError && typeof error.status === "number") {
    return new ModelError(
      "upstream",
      `The model provider had an error (HTTP ${error.status}). Try again shortly.`,
    );
  }
  return new ModelError(
    context.receivedText ? "dropped" : "upstream",
    context.receivedText
      ? "The connection to the model provider broke off mid-reply. The text so far is kept; you can regenerate it."
      : "The model provider failed before answering. Try again shortly.",
  );
}

function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
