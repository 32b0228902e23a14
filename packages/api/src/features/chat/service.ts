import {
  chat,
  files,
  folders,
  presets,
  search,
  UniqueViolationError,
  type Database,
} from "@parley/db";
import type { AppDeps, RequestMeta } from "../../core/context";
import { DomainError } from "../../core/errors";
import { purgeDetachedFiles } from "../../core/files";
import { enforceRateLimit, rateLimitKeys } from "../../core/rate-limits";
import { exportConversation as renderExport } from "./export";
import type { GenerationJob } from "./generation";
import { PROMPT_PAGE_SIZE, type PromptStart } from "./prompt";
import { recoverReplyText } from "./recover";
import { parseEventId, replyEvents } from "./reply-stream";
import type { ChatRuntime } from "./runtime";
import type {
  CreateConversationInput,
  ListConversationsInput,
  ListMessagesInput,
  SearchConversationsInput,
  SendInput,
  UpdateConversationInput,
} from "./schemas";
import { setupHint } from "./provider";
import { chatLimits } from "./settings";
import { fallbackTitle } from "./title";

/** What this feature reads of AppDeps. */
export type ChatDeps = Pick<
  AppDeps,
  "db" | "reads" | "historyCache" | "rateLimiter" | "files" | "usage"
>;

// Another user's conversation or message looks exactly like a missing one.
const conversationNotFound = (field = "id") =>
  new DomainError("NOT_FOUND", "Conversation not found", { field });

async function ownConversation(db: Database, userId: string, conversationId: string, field = "id") {
  const conversation = await chat.getConversation(db, userId, conversationId);
  if (!conversation) throw conversationNotFound(field);
  return conversation;
}

const messageNotFound = () =>
  new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });

/**
 * The models on offer, grouped by provider; `configured: false` when no provider is set up,
 * with the setup `hint` for admins only: nobody else can add a provider.
 */
export async function listModels(runtime: ChatRuntime, viewer: { role: "user" | "admin" }) {
  const { configured, models, defaultModel, providers } = await runtime.provider.catalog();
  const hint = viewer.role === "admin" && !configured ? setupHint : null;
  return { configured, models, defaultModel, providers, hint };
}

function encodeCursor(cursor: chat.ConversationCursor | null): string | null {
  return cursor ? `${cursor.updatedAt.getTime()}_${cursor.id}` : null;
}

/** History reads: on a read replica that has the user's writes, else on the primary. */
function readHistory<T>(deps: ChatDeps, userId: string, read: (db: Database) => Promise<T>) {
  return deps.reads ? deps.reads.withReader(userId, read) : read(deps.db);
}

/** Through the history cache when there is one; its keys are per user (the cache adds the
 * user id), so nobody is ever served another user's page. */
function cachedHistory<T>(
  deps: ChatDeps,
  userId: string,
  key: string,
  load: () => Promise<T>,
  cacheable?: (value: T) => boolean,
): Promise<T> {
  return deps.historyCache ? deps.historyCache.read(userId, key, load, cacheable) : load();
}

export async function listConversations(
  deps: ChatDeps,
  userId: string,
  input: ListConversationsInput,
) {
  const args = {
    limit: input.limit,
    cursor: input.cursor ?? undefined,
    archived: input.archived,
    pinned: input.pinned,
    folderId: input.folderId,
  };
  const load = async () => {
    const page = await readHistory(deps, userId, (db) =>
      input.query
        ? chat.listConversations(db, userId, { ...args, query: input.query })
        : chat.listConversationPage(db, userId, args),
    );
    return { items: page.items, nextCursor: encodeCursor(page.nextCursor) };
  };
  // Search looks into message text, which changes while a reply streams: never cached.
  if (input.query) return load();
  // The cursor arrives parsed (schemas.ts); the key holds it in its wire form again.
  const cursor = encodeCursor(input.cursor ?? null) ?? "";
  const folder = input.folderId === undefined ? "" : (input.folderId ?? "none");
  const key = `c|${input.archived ? 1 : 0}|${input.pinned ?? ""}|${folder}|${cursor}|${input.limit}`;
  return cachedHistory(deps, userId, key, load);
}

/** Ranked full-text search with marked snippets (packages/db/src/queries/search.ts); archived
 * conversations are found too and say so. Never cached: message text changes while a reply
 * streams. */
export async function searchConversations(
  deps: ChatDeps,
  userId: string,
  input: SearchConversationsInput,
) {
  const items = await readHistory(deps, userId, (db) =>
    search.searchConversations(db, userId, input),
  );
  return { items };
}

export async function createConversation(
  deps: ChatDeps,
  runtime: ChatRuntime,
  req: RequestMeta,
  userId: string,
  input: CreateConversationInput,
) {
  // Each one is a row and a sidebar entry: a script must not fill the account (and the
  // database) with thousands a second.
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.conversationCreateUser(userId),
    { limit: runtime.settings.conversationsPerMinute, windowSeconds: 60 },
    "Too many new conversations",
  );
  const { presetId, ...fields } = input;
  const settings = await withPreset(deps, userId, presetId, fields);
  // A preset's model may have been withdrawn since it was saved: refused, not swapped.
  await assertModelOffered(runtime, settings.model);
  return chat.createConversation(deps.db, userId, settings);
}

/** A new conversation's settings: the preset's (the caller's own), each overridden by `fields`. */
async function withPreset(
  deps: ChatDeps,
  userId: string,
  presetId: string | undefined,
  fields: chat.ConversationSettings,
): Promise<chat.ConversationSettings> {
  if (!presetId) return fields;
  // Another user's preset looks exactly like a missing one.
  const preset = await presets.getPreset(deps.db, userId, presetId);
  if (!preset) throw new DomainError("NOT_FOUND", "Preset not found", { field: "presetId" });
  return {
    ...(preset.systemPrompt !== null && { systemPrompt: preset.systemPrompt }),
    ...(preset.model !== null && { model: preset.model }),
    ...(preset.temperature !== null && { temperature: preset.temperature }),
    ...fields,
  };
}

export function getConversation(deps: ChatDeps, userId: string, conversationId: string) {
  return ownConversation(deps.db, userId, conversationId);
}

export async function updateConversation(
  deps: ChatDeps,
  runtime: ChatRuntime,
  userId: string,
  input: UpdateConversationInput,
) {
  const { id: conversationId, ...patch } = input;
  await ownConversation(deps.db, userId, conversationId);
  await assertModelOffered(runtime, patch.model);
  const updated = await chat.updateConversation(deps.db, userId, conversationId, patch);
  // Deleted between the check and the update.
  if (!updated) throw conversationNotFound();
  return updated;
}

export async function deleteConversation(deps: ChatDeps, userId: string, conversationId: string) {
  if (!(await chat.deleteConversation(deps.db, userId, conversationId))) {
    throw conversationNotFound();
  }
  // The files its messages carried go with them, from the store too.
  await purgeDetachedFiles(deps.db, deps.files, userId);
  return { id: conversationId };
}

/** Files the conversation in one of the user's folders, or in none (folderId null). */
export async function moveConversation(
  deps: ChatDeps,
  userId: string,
  input: { id: string; folderId: string | null },
) {
  const missing = await folders.moveConversation(deps.db, {
    userId,
    conversationId: input.id,
    folderId: input.folderId,
  });
  if (missing === "conversation") throw conversationNotFound();
  if (missing === "folder")
    throw new DomainError("NOT_FOUND", "Folder not found", { field: "folderId" });
  return { id: input.id, folderId: input.folderId };
}

// A selection naming any conversation that is missing or someone else's changes nothing.
const selectionNotFound = () =>
  new DomainError("NOT_FOUND", "Conversation not found", { field: "ids" });

/** Archives (or, with archived false, brings back) every selected conversation, or none. */
export async function archiveConversations(
  deps: ChatDeps,
  userId: string,
  input: { ids: string[]; archived: boolean },
) {
  const ids = await folders.archiveConversations(deps.db, { userId, ...input });
  if (!ids) throw selectionNotFound();
  return { ids, archived: input.archived };
}

/** Deletes every selected conversation, or none; the files they carried go with them. */
export async function deleteConversations(
  deps: ChatDeps,
  userId: string,
  input: { ids: string[] },
) {
  const ids = await folders.deleteConversations(deps.db, { userId, ids: input.ids });
  if (!ids) throw selectionNotFound();
  await purgeDetachedFiles(deps.db, deps.files, userId);
  return { ids };
}

export async function exportConversation(
  deps: ChatDeps,
  userId: string,
  conversationId: string,
  format: "json" | "markdown",
) {
  return readHistory(deps, userId, async (db) => {
    const conversation = await ownConversation(db, userId, conversationId);
    const { items, truncated } = await chat.exportBranch(db, {
      userId,
      conversationId: conversation.id,
      limit: chatLimits.exportMessages,
    });
    const attachments = await files.attachmentsOf(
      db,
      userId,
      items.filter((m) => m.role === "user").map((m) => m.id),
    );
    return renderExport(conversation, items, format, truncated, attachments);
  });
}

/**
 * The active branch, a page at a time. Without a cursor: the newest messages. `toward`
 * "older" (default) pages back from `cursor` (a depth), "newer" forward. Each message
 * lists its siblings (alternatives from edits and regenerations) for a branch switcher.
 */
export function listMessages(deps: ChatDeps, userId: string, input: ListMessagesInput) {
  const key = `m|${input.conversationId}|${input.toward}|${input.cursor ?? ""}|${input.limit}`;
  // A reply still streaming changes with every chunk: only finished pages are kept.
  return cachedHistory(
    deps,
    userId,
    key,
    () => loadMessages(deps, userId, input),
    (page) => page.items.every((m) => m.status !== "streaming"),
  );
}

async function loadMessages(deps: ChatDeps, userId: string, input: ListMessagesInput) {
  const newer = input.toward === "newer";
  const cursor = input.cursor ?? undefined;
  const page = await readHistory(deps, userId, async (db) => {
    // One statement, filtered by user_id: a page with rows proves ownership by itself.
    const found = await chat.listActiveBranchPage(db, userId, input.conversationId, {
      limit: input.limit,
      ...(newer ? { afterDepth: cursor ?? -1 } : { beforeDepth: cursor }),
    });
    if (!found.items.length)
      await ownConversation(db, userId, input.conversationId, "conversationId");
    return found;
  });
  const items = page.items.map((message) => ({
    ...message,
    siblingIndex: message.siblingIds.indexOf(message.id),
  }));
  const edge = newer ? items.at(-1) : items[0];
  return { items, nextCursor: page.hasMore && edge ? edge.depth : null };
}

/** Makes the branch through `messageId` the visible one (ancestors, it, newest descendants). */
export function switchBranch(deps: ChatDeps, userId: string, messageId: string) {
  return chat.switchBranch(deps.db, userId, messageId);
}

/**
 * A reply's text as it is written: `{ delta }` events, then one `{ status, usage, model,
 * error }`. Event ids let a dropped connection resume (lastEventId) on any replica with no
 * gap and no duplicate; a finished reply is replayed whole.
 */
export async function streamReply(
  deps: ChatDeps,
  runtime: ChatRuntime,
  userId: string,
  input: { messageId: string; lastEventId?: string | null | undefined },
  signal: AbortSignal | undefined,
) {
  const start = parseEventId(input.lastEventId);
  if (!start) throw new DomainError("BAD_REQUEST", "Invalid lastEventId", { field: "lastEventId" });
  const message = await chat.findMessage(deps.db, userId, input.messageId);
  if (!message) throw messageNotFound();
  if (message.role !== "assistant") {
    throw new DomainError("BAD_REQUEST", "Only replies can be streamed", { field: "messageId" });
  }
  return replyEvents(
    { db: deps.db, bus: runtime.streamBus, settings: runtime.settings },
    { userId, messageId: message.id },
    start,
    signal,
  );
}

/** The model a reply uses: the conversation's when still offered, else the default. */
async function resolveModel(
  runtime: ChatRuntime,
  conversationModel: string | null,
): Promise<string> {
  const { configured, models, defaultModel } = await runtime.provider.catalog();
  if (!configured) throw new DomainError("PRECONDITION_FAILED", setupHint);
  if (conversationModel && models.includes(conversationModel)) return conversationModel;
  if (defaultModel) return defaultModel;
  throw new DomainError(
    "PRECONDITION_FAILED",
    "No model is offered: an administrator needs to list the provider's models (Settings → Providers, or AI_MODELS)",
  );
}

/** Checks a model a user picked against the ones offered. */
export async function assertModelOffered(runtime: ChatRuntime, model: string | null | undefined) {
  if (model === null || model === undefined) return;
  const { models } = await runtime.provider.catalog();
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

async function limitSends(deps: ChatDeps, runtime: ChatRuntime, req: RequestMeta, userId: string) {
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.chatSendUser(userId),
    { limit: runtime.settings.sendsPerMinute, windowSeconds: 60 },
    "Too many messages",
  );
}

/**
 * §6.1 steps 3-4: stores the user message and the reply placeholder in one transaction,
 * starts the generation in the background and returns at once. A retry with the same
 * clientMessageId returns the first rows and never calls the model again.
 */
export async function sendMessage(
  deps: ChatDeps,
  runtime: ChatRuntime,
  req: RequestMeta,
  userId: string,
  input: SendInput,
  /** The caller's quota override as authentication knows it (AuthUser.quotaOverride). */
  quotaOverride?: number | null,
) {
  // The reads a send needs, at once: is this a retry, the conversation's settings, and the
  // newest page of the branch the reply continues (the first page of its prompt, so the
  // model is called without reading history again after the exchange is stored).
  const conversationId = input.conversationId;
  const readsBranchTip = conversationId !== undefined && input.parentId === undefined;
  const [retried, conversation, branchTip] = await Promise.all([
    chat.clientMessageIdUsed(deps.db, userId, input.clientMessageId),
    conversationId ? ownConversation(deps.db, userId, conversationId, "conversationId") : null,
    readsBranchTip
      ? chat.promptPage(deps.db, {
          userId,
          conversationId,
          belowDepth: null,
          take: PROMPT_PAGE_SIZE,
        })
      : null,
  ]);
  if (retried) {
    const previous = await chat.findExchangeByClientId(deps.db, userId, input.clientMessageId);
    if (previous) return sameExchange(previous, input);
  }

  if (!conversationId && input.parentId) {
    throw new DomainError("BAD_REQUEST", "parentId needs the conversationId it belongs to", {
      field: "parentId",
    });
  }
  if (conversationId && (input.presetId || input.model)) {
    throw new DomainError(
      "BAD_REQUEST",
      "presetId and model start a new conversation: change an existing one with chat.conversations.update",
      { field: input.presetId ? "presetId" : "model" },
    );
  }
  // A new conversation is created by this send, with the preset's and the picked settings
  // (so choosing a preset or a model stores nothing until the first message).
  const newSettings = conversationId
    ? null
    : await withPreset(deps, userId, input.presetId, input.model ? { model: input.model } : {});
  if (newSettings) await assertModelOffered(runtime, newSettings.model);
  const settings: chat.ConversationSettings = conversation ?? newSettings ?? {};
  const model = await resolveModel(runtime, settings.model ?? null);
  const attached = await checkAttachments(deps, runtime, userId, model, input.attachmentIds ?? []);
  const attachmentIds = attached.map((file) => file.id);
  assertAccepting(runtime);
  await limitSends(deps, runtime, req, userId);
  await deps.usage?.assertWithinQuota(userId, {
    source: "chat",
    responseHeaders: req.responseHeaders,
    quotaOverride,
  });

  let exchange;
  try {
    exchange = await chat.createExchange(deps.db, {
      userId,
      conversation: input.conversationId
        ? { id: input.conversationId }
        : {
            create: {
              model,
              systemPrompt: settings.systemPrompt ?? null,
              temperature: settings.temperature ?? null,
            },
          },
      content: input.content,
      clientMessageId: input.clientMessageId,
      parent: input.parentId === undefined ? "tip" : input.parentId,
      attachmentIds,
      model,
      leaseExpiresAt: new Date(Date.now() + runtime.settings.leaseMs),
    });
  } catch (error) {
    // The same clientMessageId raced in on another request: answer with its rows. The loser
    // fails on the unique key, or, in an existing conversation, on the winner's reply that
    // is already streaming at the tip.
    const lostRace =
      error instanceof UniqueViolationError ||
      (error instanceof chat.ChatRuleError && error.code === "CONFLICT");
    if (!lostRace) throw error;
    const raced = await chat.findExchangeByClientId(deps.db, userId, input.clientMessageId);
    if (!raced) throw error;
    return sameExchange(raced, input);
  }

  const { assistantMessage, userMessage } = exchange;
  const stored = exchange.conversation;
  const isFirstReply = assistantMessage.depth === 1 && stored.title === chat.DEFAULT_TITLE;
  // The branch read above is the prompt's first page if the message went right below the
  // tip that was read, and that tip was not a reply still being written (its text partial).
  const tip = branchTip?.[0];
  const belowReadTip = readsBranchTip
    ? (tip?.id ?? null) === userMessage.parentId && tip?.status !== "streaming"
    : userMessage.parentId === null;
  const promptStart: PromptStart | undefined = belowReadTip
    ? {
        rows: [
          {
            id: userMessage.id,
            role: "user",
            content: userMessage.content,
            depth: userMessage.depth,
            status: userMessage.status,
            hasAttachments: attachmentIds.length > 0,
          },
          ...(branchTip ?? []),
        ],
        hasMore: (branchTip?.length ?? 0) === PROMPT_PAGE_SIZE,
      }
    : undefined;
  startReply(
    runtime,
    userId,
    stored,
    assistantMessage,
    model,
    // A message of files alone is titled by what it carries.
    isFirstReply ? input.content.trim() || attached.map((file) => file.name).join(", ") : null,
    promptStart,
  );
  return exchange;
}

/**
 * The files a message may carry: the sender's own (anyone else's look missing), and images
 * only for a model that takes them. Checked before anything is stored.
 */
async function checkAttachments(
  deps: ChatDeps,
  runtime: ChatRuntime,
  userId: string,
  model: string,
  ids: string[],
): Promise<Array<{ id: string; name: string }>> {
  if (ids.length === 0) return [];
  const notFound = new DomainError("NOT_FOUND", "File not found", { field: "attachmentIds" });
  if (!deps.files) throw notFound;
  const found = await files.findFiles(deps.db, userId, ids);
  if (found.length !== ids.length) throw notFound;
  if (found.some((f) => f.kind === "image") && !(await runtime.provider.route(model))?.vision) {
    const { providers } = await runtime.provider.catalog();
    const vision = providers.flatMap((p) => p.models.filter((m) => m.vision).map((m) => m.name));
    throw new DomainError(
      "PRECONDITION_FAILED",
      vision.length
        ? `The model ${model} cannot see images; pick one that can (${vision.join(", ")}) or remove the images`
        : `No model on this server can see images; remove the images to send`,
      { field: "attachmentIds" },
    );
  }
  const byId = new Map(found.map((file) => [file.id, file]));
  return ids.map((id) => ({ id, name: byId.get(id)!.name }));
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
  deps: ChatDeps,
  runtime: ChatRuntime,
  req: RequestMeta,
  userId: string,
  messageId: string,
  quotaOverride?: number | null,
  options: { continueStopped?: boolean } = {},
) {
  const original = await chat.findMessage(deps.db, userId, messageId);
  if (!original) throw messageNotFound();
  const continueFrom = options.continueStopped ? continuableText(original) : undefined;
  const conversation = await chat.getConversation(deps.db, userId, original.conversationId);
  if (!conversation) throw messageNotFound();
  const model = await resolveModel(runtime, conversation.model);
  assertAccepting(runtime);
  await limitSends(deps, runtime, req, userId);
  await deps.usage?.assertWithinQuota(userId, {
    source: "chat",
    responseHeaders: req.responseHeaders,
    quotaOverride,
  });

  const { assistantMessage } = await chat.createRegeneration(deps.db, {
    userId,
    messageId,
    model,
    leaseExpiresAt: new Date(Date.now() + runtime.settings.leaseMs),
  });
  // A first reply that failed left the conversation untitled, or titled from the question
  // alone: this one may give it the model's title.
  const question =
    assistantMessage.depth === 1 && assistantMessage.parentId
      ? await chat.findMessage(deps.db, userId, assistantMessage.parentId)
      : null;
  const retitle =
    question !== null &&
    (conversation.title === chat.DEFAULT_TITLE ||
      conversation.title === fallbackTitle(question.content));
  startReply(
    runtime,
    userId,
    conversation,
    assistantMessage,
    model,
    retitle && question.content ? question.content : null,
    undefined,
    continueFrom,
  );
  return { assistantMessage };
}

/** "Continue": a new version of a reply that was cut off, opening with its text and going on
 * from it; the stopped version stays, one arrow away. */
export function continueReply(
  deps: ChatDeps,
  runtime: ChatRuntime,
  req: RequestMeta,
  userId: string,
  messageId: string,
  quotaOverride?: number | null,
) {
  return regenerateReply(deps, runtime, req, userId, messageId, quotaOverride, {
    continueStopped: true,
  });
}

/** The text a reply can be continued from: a reply's, cut off (stopped, interrupted, or
 * failed midway), with some text. */
function continuableText(message: { role: string; status: string; content: string }): string {
  const cutOff = ["stopped", "interrupted", "error"].includes(message.status);
  if (message.role !== "assistant" || !cutOff || !message.content.trim()) {
    throw new DomainError("BAD_REQUEST", "Only a reply that was cut off can be continued", {
      field: "messageId",
    });
  }
  return message.content;
}

/** Starts generating `assistantMessage`; `titleFrom` is the first question when the
 * conversation still has its default title, else null. */
function startReply(
  runtime: ChatRuntime,
  userId: string,
  conversation: { id: string; temperature: number | null; systemPrompt: string | null },
  assistantMessage: { id: string; depth: number },
  model: GenerationJob["model"],
  titleFrom: string | null,
  promptStart?: PromptStart,
  continueFrom?: string,
) {
  runtime.generations.start({
    userId,
    messageId: assistantMessage.id,
    conversationId: conversation.id,
    model,
    temperature: conversation.temperature,
    systemPrompt: conversation.systemPrompt,
    replyDepth: assistantMessage.depth,
    titleFrom,
    ...(promptStart ? { promptStart } : {}),
    ...(continueFrom ? { continueFrom } : {}),
  });
}

/**
 * Stops a reply wherever it is generated: the stop reaches the generating replica through
 * the cancel signal, which stores the reply `stopped` with its partial text. If that
 * replica does not answer in time (it died, or cannot hear), the reply is stopped here.
 */
export async function stopReply(
  deps: ChatDeps,
  runtime: ChatRuntime,
  userId: string,
  messageId: string,
) {
  const message = await chat.findMessage(deps.db, userId, messageId);
  if (!message) throw messageNotFound();
  if (message.role !== "assistant") {
    throw new DomainError("BAD_REQUEST", "Only a reply can be stopped", { field: "messageId" });
  }
  if (message.status !== "streaming") return message;

  await runtime.cancelSignal.request(messageId).catch(() => {});
  const deadline = Date.now() + runtime.settings.stopWaitMs;
  while (Date.now() < deadline) {
    const state = await chat.replyState(deps.db, { userId, messageId });
    if (!state || state.status !== "streaming") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const state = await chat.replyState(deps.db, { userId, messageId });
  if (state?.status === "streaming")
    await forceStop(deps.db, runtime, { userId, messageId }, state.content);
  const stopped = await chat.findMessage(deps.db, userId, messageId);
  if (!stopped) throw messageNotFound();
  return stopped;
}

async function forceStop(db: Database, runtime: ChatRuntime, reply: chat.ReplyRef, stored: string) {
  const { messageId } = reply;
  const content = await recoverReplyText(runtime.streamBus, messageId, stored);
  if (!(await chat.finishReply(db, reply, { status: "stopped", content }))) return;
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
