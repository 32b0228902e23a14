import { createHash, randomBytes } from "node:crypto";
import type OpenAI from "openai";
import type { AppDeps, AuthUser, RequestMeta } from "../../core/context";
import type { OpenAIDeps } from "./deps";
import { enforceRateLimit, rateLimitKeys } from "../../core/rate-limits";
import { callerHasScope } from "../../core/procedures";
import { countPromptTokens, countTextTokens } from "../../core/tokenizer";
import type { KnownQuotaOverride } from "../../core/usage-meter";
import {
  fromDomainError,
  fromProviderError,
  fromZodError,
  invalidRequest,
  modelNotFound,
  OpenAIError,
} from "./errors";
import { StoredExchange, type HistoryTarget } from "./history";
import { chatCompletionRequest, type ChatCompletionRequest } from "./schemas";
import type {
  ChatCompletionChunkOut,
  ChatCompletionOut,
  FinishReason,
  ModelListOut,
  UsageOut,
} from "./types";

type ChatRuntime = NonNullable<AppDeps["chat"]>;
type ModelEndpoint = NonNullable<Awaited<ReturnType<ChatRuntime["provider"]["route"]>>>["endpoint"];

/** Who calls /v1: a personal API key's owner, and the request's transport facts. */
export interface V1Caller {
  user: AuthUser;
  req: RequestMeta;
}

/** Told how /v1 calls go, for metrics. Must not throw. */
export interface V1Observer {
  /** A /v1 request answered (a stream: when it ended). */
  onRequest(info: {
    endpoint: "models" | "chat.completions" | "unknown";
    status: number;
    stream: boolean;
    durationMs: number;
  }): void;
  /** A streamed completion's first content chunk, from the request's arrival. */
  onFirstToken(info: { model: string; timeToFirstTokenMs: number }): void;
}

/** `created` of every listed model: when this process started (Parley does not know when a
 * provider's model was made). */
const listedAt = Math.floor(Date.now() / 1000);

/**
 * /v1 is for personal API keys with the `chat` scope. A missing credential, one that is not
 * an API key, or one that is wrong, expired or revoked is 401, as OpenAI answers.
 */
export function authorizeCaller(
  user: AuthUser | null,
  authorization: string | null | undefined,
): AuthUser {
  if (!authorization?.trim())
    throw new OpenAIError(
      401,
      "You didn't provide an API key. Send your Parley API key as `Authorization: Bearer <key>`; create one in Settings → API keys.",
      "invalid_request_error",
    );
  if (!user || !user.apiKey)
    throw new OpenAIError(
      401,
      "Incorrect API key provided. Use a personal Parley API key (Settings → API keys).",
      "invalid_request_error",
      "invalid_api_key",
    );
  if (!callerHasScope(user, "chat"))
    throw new OpenAIError(
      403,
      "This API key lacks the `chat` scope",
      "permission_error",
      "insufficient_permissions",
    );
  return user;
}

const notConfigured = () =>
  new OpenAIError(
    503,
    "No model provider is configured on this Parley server; an administrator needs to add one in Settings → Providers (or set OPENAI_BASE_URL or OPENAI_API_KEY).",
    "server_error",
    "not_configured",
  );

/** The chat runtime and the models it offers, or a 503 when there is none to call. */
async function catalogOf(deps: OpenAIDeps): Promise<{ runtime: ChatRuntime; models: string[] }> {
  const runtime = deps.chat;
  if (!runtime) throw new OpenAIError(503, "Chat is not available on this server", "server_error");
  const { configured, models } = await runtime.provider.catalog();
  if (!configured) throw notConfigured();
  return { runtime, models };
}

/** GET /v1/models: the models Parley offers, of every provider (`<provider id>/<model>` for
 * those admins added, bare ids for the environment's). */
export async function listModels(deps: OpenAIDeps): Promise<ModelListOut> {
  const { models } = await catalogOf(deps);
  return { object: "list", data: models.map(modelEntry) };
}

/** GET /v1/models/{model}. */
export async function getModel(
  deps: OpenAIDeps,
  id: string,
): Promise<ModelListOut["data"][number]> {
  const { models } = await catalogOf(deps);
  if (!models.includes(id)) throw modelNotFound(id);
  return modelEntry(id);
}

const modelEntry = (id: string) => ({
  id,
  object: "model" as const,
  created: listedAt,
  owned_by: "parley",
});

/** A validated request, allowed by the caller's quota, ready to go to the provider. */
export interface PreparedCompletion {
  input: ChatCompletionRequest;
  /** The client of the model's provider, and the provider's own id of the model. */
  client: OpenAI;
  /** The same provider's endpoint, which streams without the SDK. */
  endpoint: ModelEndpoint;
  upstreamModel: string;
  runtime: ChatRuntime;
  caller: V1Caller;
  startedAt: number;
  /** Where the exchange is stored, when the caller asked for history. */
  stored: StoredExchange | null;
}

/**
 * The per-user checks of a completion: the request rate and the daily token quota (shared
 * with chat), side by side (each a round trip to Redis). `quotaOverride` is the caller's as
 * authentication found it, or a promise of it: the checks can start before authentication
 * has answered, when the caller's user is already known (see ApiKeyOwners). Rejects with
 * the refusal as an OpenAIError.
 */
export async function checkCompletionCaller(
  deps: OpenAIDeps,
  req: RequestMeta,
  userId: string,
  quotaOverride: KnownQuotaOverride,
): Promise<void> {
  const runtime = deps.chat;
  if (!runtime) return; // prepareCompletion refuses the call
  try {
    await Promise.all([
      enforceRateLimit(
        deps.rateLimiter,
        req,
        rateLimitKeys.openaiUser(userId),
        { limit: runtime.settings.sendsPerMinute, windowSeconds: 60 },
        "Too many requests",
      ),
      deps.usage?.assertWithinQuota(userId, { source: "api", quotaOverride }),
    ]);
  } catch (error) {
    throw fromDomainError(error) ?? error;
  }
}

/**
 * An API key's owner never changes, so a key this process has seen names its user before
 * the session cache has answered: /v1 then runs the per-user checks beside the key lookup
 * instead of after it, one round trip to Redis fewer before the model is called. Only keys
 * that authenticated are remembered, and a key that fails is forgotten, so a revoked key
 * spends at most one request of its owner's rate limit per process. Bounded.
 */
export class ApiKeyOwners {
  private readonly owners = new Map<string, string>();
  constructor(private readonly maxEntries = 10_000) {}

  /** Keyed by a hash of the Authorization header: no secret is kept. */
  private static key(authorization: string): string {
    return createHash("sha256").update(authorization).digest("base64url");
  }

  owner(authorization: string | null | undefined): string | null {
    return authorization ? (this.owners.get(ApiKeyOwners.key(authorization)) ?? null) : null;
  }

  remember(authorization: string, user: AuthUser): void {
    if (!user.apiKey) return;
    const key = ApiKeyOwners.key(authorization);
    if (this.owners.get(key) === user.id) return;
    if (this.owners.size >= this.maxEntries)
      this.owners.delete(this.owners.keys().next().value as string);
    this.owners.set(key, user.id);
  }

  forget(authorization: string | null | undefined): void {
    if (authorization) this.owners.delete(ApiKeyOwners.key(authorization));
  }
}

/**
 * Everything checked before the model is called: the body, the model, images for models
 * that take them, the caller's request rate and daily token quota (shared with chat).
 * `checks`: the per-user checks already started (checkCompletionCaller) for this caller.
 */
export async function prepareCompletion(
  deps: OpenAIDeps,
  caller: V1Caller,
  body: unknown,
  options: { history?: HistoryTarget | null; checks?: Promise<void> | null } = {},
): Promise<PreparedCompletion> {
  const startedAt = performance.now();
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error);
  const input = parsed.data;
  const { runtime, models } = await catalogOf(deps);
  const route = models.includes(input.model) ? await runtime.provider.route(input.model) : null;
  if (!route) throw modelNotFound(input.model);
  if (!route.vision && hasImages(input))
    throw invalidRequest(
      `The model \`${input.model}\` does not take images (GET /v1/models/{model} of another, or ask an administrator which do)`,
      "messages",
      "image_not_supported",
    );
  await (options.checks ??
    checkCompletionCaller(deps, caller.req, caller.user.id, caller.user.quotaOverride));
  let stored: StoredExchange | null = null;
  if (options.history) {
    // Stored before the model is called: a question is never lost, whatever follows.
    try {
      stored = await StoredExchange.begin(deps, runtime, {
        userId: caller.user.id,
        target: options.history,
        model: input.model,
        messages: input.messages,
      });
    } catch (error) {
      throw fromDomainError(error) ?? error;
    }
  }
  return {
    input,
    client: route.client,
    endpoint: route.endpoint,
    upstreamModel: route.model,
    runtime,
    caller,
    startedAt,
    stored,
  };
}

const hasImages = (input: ChatCompletionRequest) =>
  input.messages.some(
    (m) =>
      m.role === "user" && Array.isArray(m.content) && m.content.some((p) => p.type !== "text"),
  );

/** What goes to the provider: the caller's options as they are, `user` left out. */
/** The caller's request as the provider takes it: its own model id, no Parley-only fields. */
function providerParams({ input, upstreamModel }: PreparedCompletion) {
  const { stream: _stream, stream_options: _options, user: _user, ...rest } = input;
  return {
    ...rest,
    model: upstreamModel,
  } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
}

const completionId = () => `chatcmpl-${randomBytes(15).toString("base64url")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "length":
    case "content_filter":
    case "tool_calls":
    case "function_call":
      return reason;
    default:
      return "stop";
  }
}

interface Counted {
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
}

/** The provider's figures, or Parley's tokenizer when it gave none. */
function countUsage(
  input: ChatCompletionRequest,
  text: string,
  reported: OpenAI.CompletionUsage | null | undefined,
): Counted {
  if (reported)
    return {
      promptTokens: reported.prompt_tokens,
      completionTokens: reported.completion_tokens,
      estimated: false,
    };
  return {
    promptTokens: countPromptTokens(
      input.messages.map((m) => ({ role: m.role, content: m.content ?? "" })),
    ),
    completionTokens: countTextTokens(text),
    estimated: true,
  };
}

const usageOut = (u: Counted): UsageOut => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.promptTokens + u.completionTokens,
});

async function recordUsage(deps: OpenAIDeps, prepared: PreparedCompletion, usage: Counted) {
  await deps.usage?.record({
    userId: prepared.caller.user.id,
    source: "api",
    model: prepared.input.model,
    ...usage,
    apiKeyId: prepared.caller.user.apiKey?.id ?? null,
    messageId: prepared.stored?.replyId ?? null,
  });
}

/** POST /v1/chat/completions without `stream`: one answer, OpenAI's shape. */
export async function createCompletion(
  deps: OpenAIDeps,
  prepared: PreparedCompletion,
  signal: AbortSignal,
): Promise<ChatCompletionOut> {
  const { input, client } = prepared;
  let reply: OpenAI.ChatCompletion;
  try {
    reply = await client.chat.completions.create(providerParams(prepared), { signal });
  } catch (error) {
    const refusal = fromProviderError(error, input.model);
    await prepared.stored?.finish({
      status: signal.aborted ? "stopped" : "error",
      content: "",
      error: refusal.message,
    });
    throw refusal;
  }
  const choice = reply.choices?.[0];
  const content = choice?.message?.content ?? "";
  const usage = countUsage(input, content, reply.usage);
  await recordUsage(deps, prepared, usage);
  await prepared.stored?.finish({
    status: "complete",
    content,
    model: input.model,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
  });
  return {
    id: completionId(),
    object: "chat.completion",
    created: nowSeconds(),
    model: reply.model || input.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: toFinishReason(choice?.finish_reason),
      },
    ],
    usage: usageOut(usage),
    system_fingerprint: null,
  };
}

/**
 * POST /v1/chat/completions with `stream: true`. Resolves once the provider has answered
 * (so a refusal before the first token is still a proper HTTP error), with the chunks to
 * send as server-sent events. A failure mid-stream is thrown from the iterator as an
 * OpenAIError (sent as an `error` event); usage is recorded however the stream ends.
 */
export async function startCompletionStream(
  deps: OpenAIDeps,
  prepared: PreparedCompletion,
  signal: AbortSignal,
): Promise<AsyncIterable<ChatCompletionChunkOut>> {
  const { input, runtime } = prepared;
  const includeUsage = input.stream_options?.include_usage === true;
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal.aborted) abort();
  signal.addEventListener("abort", abort, { once: true });
  let stream: AsyncIterable<OpenAI.ChatCompletionChunk>;
  try {
    stream = await prepared.endpoint.streamCompletion(
      // Usage is always asked for, to count it; the caller sees it only if they asked.
      { ...providerParams(prepared), stream: true, stream_options: { include_usage: true } },
      { signal: controller.signal, timeoutMs: runtime.settings.modelTimeoutMs },
    );
  } catch (error) {
    signal.removeEventListener("abort", abort);
    const refusal = fromProviderError(error, input.model);
    await prepared.stored?.finish({
      status: signal.aborted ? "stopped" : "error",
      content: "",
      error: refusal.message,
    });
    throw refusal;
  }

  const id = completionId();
  const created = nowSeconds();
  const idleMs = runtime.settings.modelTimeoutMs;
  return (async function* () {
    let text = "";
    let reported: OpenAI.CompletionUsage | null = null;
    let model = input.model;
    let roleSent = false;
    let timedOut = false;
    let failure: OpenAIError | null = null;
    let ended = false;
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = () => {
      clearTimeout(idle);
      // A provider that goes silent mid-reply must not hold the caller's stream forever.
      idle = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, idleMs);
    };
    const base = () => ({
      id,
      object: "chat.completion.chunk" as const,
      created,
      model,
      system_fingerprint: null,
    });
    try {
      resetIdle();
      for await (const chunk of stream) {
        resetIdle();
        if (chunk.model) model = chunk.model;
        if (chunk.usage) reported = chunk.usage;
        if (!chunk.choices?.length) continue;
        const choices = chunk.choices.map((c) => {
          const content = c.delta?.content ?? undefined;
          if (content) {
            text += content;
            prepared.stored?.progress(text);
          }
          const delta: ChatCompletionChunkOut["choices"][number]["delta"] = {};
          if (!roleSent || c.delta?.role) delta.role = "assistant";
          if (content !== undefined || !roleSent) delta.content = content ?? "";
          roleSent = true;
          return {
            index: c.index ?? 0,
            delta,
            logprobs: null,
            finish_reason: c.finish_reason ? toFinishReason(c.finish_reason) : null,
          };
        });
        yield { ...base(), choices, ...(includeUsage ? { usage: null } : {}) };
      }
      ended = true;
      if (includeUsage)
        yield { ...base(), choices: [], usage: usageOut(countUsage(input, text, reported)) };
    } catch (error) {
      if (signal.aborted && !timedOut) return; // the caller left; nothing to tell them
      failure = timedOut
        ? new OpenAIError(
            504,
            "The model provider stopped sending; the reply was cut off",
            "api_error",
            "upstream_timeout",
          )
        : fromProviderError(error, input.model);
      throw failure;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener("abort", abort);
      // Counted however the stream ended: what the model wrote was spent.
      const usage = countUsage(input, text, reported);
      if (reported || text) await recordUsage(deps, prepared, usage);
      // The stored reply keeps its partial text, with an honest status.
      await prepared.stored?.finish({
        status: ended ? "complete" : failure ? "error" : "stopped",
        content: text,
        model: input.model,
        error: failure?.message ?? null,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
      });
    }
  })();
}

/** Any failure of a /v1 call as the error to answer: unexpected ones become a 500 whose
 * detail stays in the log. */
export function toOpenAIError(error: unknown, requestId: string): OpenAIError {
  if (error instanceof OpenAIError) return error;
  return (
    fromDomainError(error) ??
    // The sign-in check hands over a domain error already wrapped for tRPC (the database
    // down is a 503 there too).
    fromDomainError((error as { cause?: unknown } | null)?.cause) ??
    new OpenAIError(500, `Internal server error (request id ${requestId})`, "server_error")
  );
}
