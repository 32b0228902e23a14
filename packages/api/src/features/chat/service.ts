import { chat, UniqueViolationError, type Database } from "@parley/db";
import { enforceRateLimit } from "../../core/auth/rate-limits";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import type { GenerationJob } from "./generation";
import { recoverReplyText } from "./recover";
import type { ChatRuntime } from "./runtime";

/** The chat runtime, or a clear 503 when this process was built without one. */
export function chatRuntime(deps: AppDeps): ChatRuntime {
  if (!deps.chat)
    throw new DomainError("SERVICE_UNAVAILABLE", "Chat is not available on this server");
  return deps.chat;
}

/** The model a reply uses: the conversation's when still offered, else the default. */
async function resolveModel(
  runtime: ChatRuntime,
  conversationModel: string | null,
): Promise<string> {
  if (!runtime.provider.configured) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      runtime.provider.setupHint ?? "No model provider is configured",
    );
  }
  const { models, defaultModel } = await runtime.provider.listModels();
  if (conversationModel && models.includes(conversationModel)) return conversationModel;
  if (defaultModel) return defaultModel;
  throw new DomainError(
    "PRECONDITION_FAILED",
    "No model is configured: set AI_MODELS (and optionally AI_DEFAULT_MODEL) to the models your provider offers",
  );
}

/** Checks a model a user picked against the ones offered. */
export async function assertModelOffered(runtime: ChatRuntime, model: string | null | undefined) {
  if (model === null || model === undefined) return;
  const { models } = await runtime.provider.listModels();
  if (!models.includes(model)) {
    throw new DomainError(
      "BAD_REQUEST",
      `Model "${model}" is not offered; pick one from chat.models`,
      {
        field: "model",
      },
    );
  }
}

function assertAccepting(runtime: ChatRuntime) {
  if (!runtime.generations.isAccepting) {
    throw new DomainError(
      "SERVICE_UNAVAILABLE",
      "This server is restarting; send again in a moment",
    );
  }
}

async function limitSends(deps: AppDeps, runtime: ChatRuntime, req: RequestMeta, userId: string) {
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    `chat-send:user:${userId}`,
    { limit: runtime.settings.sendsPerMinute, windowSeconds: 60 },
    "Too many messages",
  );
}

export interface SendInput {
  conversationId?: string;
  content: string;
  clientMessageId: string;
  parentId?: string | null;
}

/**
 * §6.1 steps 3-4: stores the user message and the reply placeholder in one transaction,
 * starts the generation in the background and returns at once. A retry with the same
 * clientMessageId returns the first rows and never calls the model again.
 */
export async function sendMessage(
  deps: AppDeps,
  req: RequestMeta,
  userId: string,
  input: SendInput,
) {
  const runtime = chatRuntime(deps);
  const previous = await chat.findExchangeByClientId(deps.db, userId, input.clientMessageId);
  if (previous) return sameExchange(previous, input);

  let settings: chat.ConversationSettings = {};
  if (input.conversationId) {
    const conversation = await chat.getConversation(deps.db, userId, input.conversationId);
    if (!conversation)
      throw new DomainError("NOT_FOUND", "Conversation not found", { field: "conversationId" });
    settings = conversation;
  } else if (input.parentId) {
    throw new DomainError("BAD_REQUEST", "parentId needs the conversationId it belongs to", {
      field: "parentId",
    });
  }
  const model = await resolveModel(runtime, settings.model ?? null);
  assertAccepting(runtime);
  await limitSends(deps, runtime, req, userId);

  let exchange;
  try {
    exchange = await chat.createExchange(deps.db, {
      userId,
      conversation: input.conversationId ? { id: input.conversationId } : { create: { model } },
      content: input.content,
      clientMessageId: input.clientMessageId,
      parent: input.parentId === undefined ? "tip" : input.parentId,
      model,
      leaseExpiresAt: new Date(Date.now() + runtime.settings.leaseMs),
    });
  } catch (error) {
    // The same clientMessageId raced in on another request: answer with its rows.
    if (!(error instanceof UniqueViolationError)) throw error;
    const raced = await chat.findExchangeByClientId(deps.db, userId, input.clientMessageId);
    if (!raced) throw error;
    return sameExchange(raced, input);
  }

  const { conversation, assistantMessage } = exchange;
  const isFirstReply = assistantMessage.depth === 1 && conversation.title === chat.DEFAULT_TITLE;
  startReply(runtime, conversation, assistantMessage, model, isFirstReply ? input.content : null);
  return exchange;
}

function sameExchange<T extends { conversation: { id: string } }>(
  previous: T,
  input: SendInput,
): T {
  if (input.conversationId && input.conversationId !== previous.conversation.id) {
    throw new DomainError(
      "CONFLICT",
      "This clientMessageId was already used in another conversation",
      {
        field: "clientMessageId",
      },
    );
  }
  return previous;
}

/** A new reply beside `messageId` (same question), generated now and made the active branch. */
export async function regenerateReply(
  deps: AppDeps,
  req: RequestMeta,
  userId: string,
  messageId: string,
) {
  const runtime = chatRuntime(deps);
  const original = await chat.findMessage(deps.db, userId, messageId);
  if (!original) throw new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });
  const conversation = await chat.getConversation(deps.db, userId, original.conversationId);
  if (!conversation)
    throw new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });
  const model = await resolveModel(runtime, conversation.model);
  assertAccepting(runtime);
  await limitSends(deps, runtime, req, userId);

  const { assistantMessage } = await chat.createRegeneration(deps.db, {
    userId,
    messageId,
    model,
    leaseExpiresAt: new Date(Date.now() + runtime.settings.leaseMs),
  });
  // A first reply that failed left the conversation untitled: this one may title it.
  const question =
    assistantMessage.depth === 1 &&
    conversation.title === chat.DEFAULT_TITLE &&
    assistantMessage.parentId
      ? await chat.findMessage(deps.db, userId, assistantMessage.parentId)
      : null;
  startReply(runtime, conversation, assistantMessage, model, question?.content ?? null);
  return { assistantMessage };
}

/** Starts generating `assistantMessage`; `titleFrom` is the first question when the
 * conversation still has its default title, else null. */
function startReply(
  runtime: ChatRuntime,
  conversation: { id: string; temperature: number | null; systemPrompt: string | null },
  assistantMessage: { id: string; depth: number },
  model: GenerationJob["model"],
  titleFrom: string | null,
) {
  runtime.generations.start({
    messageId: assistantMessage.id,
    conversationId: conversation.id,
    model,
    temperature: conversation.temperature,
    systemPrompt: conversation.systemPrompt,
    replyDepth: assistantMessage.depth,
    titleFrom,
  });
}

/**
 * Stops a reply wherever it is generated: the stop reaches the generating replica through
 * the cancel signal, which stores the reply `stopped` with its partial text. If that
 * replica does not answer in time (it died, or cannot hear), the reply is stopped here.
 */
export async function stopReply(deps: AppDeps, userId: string, messageId: string) {
  const runtime = chatRuntime(deps);
  const message = await chat.findMessage(deps.db, userId, messageId);
  if (!message) throw new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });
  if (message.role !== "assistant") {
    throw new DomainError("BAD_REQUEST", "Only a reply can be stopped", { field: "messageId" });
  }
  if (message.status !== "streaming") return message;

  await runtime.cancelSignal.request(messageId).catch(() => {});
  const deadline = Date.now() + runtime.settings.stopWaitMs;
  while (Date.now() < deadline) {
    const state = await chat.replyState(deps.db, messageId);
    if (!state || state.status !== "streaming") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const state = await chat.replyState(deps.db, messageId);
  if (state?.status === "streaming") await forceStop(deps.db, runtime, messageId, state.content);
  const stopped = await chat.findMessage(deps.db, userId, messageId);
  if (!stopped) throw new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });
  return stopped;
}

async function forceStop(db: Database, runtime: ChatRuntime, messageId: string, stored: string) {
  const content = await recoverReplyText(runtime.streamBus, messageId, stored);
  if (!(await chat.finishReply(db, messageId, { status: "stopped", content }))) return;
  await runtime.streamBus
    .append(messageId, {
      kind: "final",
      status: "stopped",
      length: content.length,
      usage: null,
      model: null,
      error: null,
    })
    .catch(() => {});
  await runtime.streamBus.expire(messageId, runtime.settings.finishedStreamTtlMs).catch(() => {});
}
