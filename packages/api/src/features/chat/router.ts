import { chat } from "@parley/db";
import { z } from "zod";
import { exportConversation } from "./export";
import { parseEventId, replyEvents } from "./reply-stream";
import {
  assertModelOffered,
  chatRuntime,
  regenerateReply,
  sendMessage,
  stopReply,
} from "./service";
import { chatLimits } from "./settings";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import { protectedProcedure, router } from "../../core/trpc";

const id = z.uuid();
const title = z.string().trim().min(1).max(chatLimits.title);
const model = z.string().trim().min(1).max(chatLimits.model);
const systemPrompt = z.string().max(chatLimits.systemPrompt);
const temperature = z.number().min(0).max(2);
const content = z
  .string()
  .max(
    chatLimits.content,
    `Messages are limited to ${chatLimits.content.toLocaleString("en")} characters`,
  )
  .refine((text) => text.trim().length > 0, "Write something first");
const clientMessageId = z
  .string()
  .min(1)
  .max(chatLimits.clientMessageId)
  .regex(/^[A-Za-z0-9_-]+$/, "Use letters, digits, - and _ only");
/** "<updatedAt ms>_<id>", as returned in nextCursor. */
const conversationCursor = z
  .string()
  .max(60)
  .regex(/^\d{1,15}_[0-9a-f-]{36}$/, "Invalid cursor");

function encodeCursor(cursor: chat.ConversationCursor | null): string | null {
  return cursor ? `${cursor.updatedAt.getTime()}_${cursor.id}` : null;
}

function decodeCursor(cursor: string | undefined): chat.ConversationCursor | undefined {
  if (!cursor) return undefined;
  const [ms, conversationId] = cursor.split("_") as [string, string];
  return { updatedAt: new Date(Number(ms)), id: conversationId };
}

async function ownConversation(
  ctx: { deps: AppDeps; user: { id: string } },
  conversationId: string,
) {
  const conversation = await chat.getConversation(ctx.deps.db, ctx.user.id, conversationId);
  if (!conversation) throw new DomainError("NOT_FOUND", "Conversation not found", { field: "id" });
  return conversation;
}

const conversationsRouter = router({
  list: protectedProcedure
    .input(
      z
        .object({
          cursor: conversationCursor.nullish(),
          limit: z.number().int().min(1).max(chatLimits.pageSize).default(30),
          query: z.string().trim().max(chatLimits.query).optional(),
          archived: z.boolean().optional(),
          pinned: z.boolean().optional(),
        })
        .default({ limit: 30 }),
    )
    .query(async ({ ctx, input }) => {
      const page = await chat.listConversations(ctx.deps.db, ctx.user.id, {
        limit: input.limit,
        cursor: decodeCursor(input.cursor ?? undefined),
        archived: input.archived,
        pinned: input.pinned,
        query: input.query || undefined,
      });
      return { items: page.items, nextCursor: encodeCursor(page.nextCursor) };
    }),

  create: protectedProcedure
    .input(
      z
        .object({
          title: title.optional(),
          model: model.optional(),
          systemPrompt: systemPrompt.optional(),
          temperature: temperature.optional(),
        })
        .default({}),
    )
    .mutation(async ({ ctx, input }) => {
      await assertModelOffered(chatRuntime(ctx.deps), input.model);
      return chat.createConversation(ctx.deps.db, ctx.user.id, input);
    }),

  get: protectedProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => ownConversation(ctx, input.id)),

  update: protectedProcedure
    .input(
      z.object({
        id,
        title: title.optional(),
        model: model.nullable().optional(),
        systemPrompt: systemPrompt.nullable().optional(),
        temperature: temperature.nullable().optional(),
        pinned: z.boolean().optional(),
        archived: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { id: conversationId, ...patch } = input;
      await ownConversation(ctx, conversationId);
      await assertModelOffered(chatRuntime(ctx.deps), patch.model);
      const updated = await chat.updateConversation(
        ctx.deps.db,
        ctx.user.id,
        conversationId,
        patch,
      );
      if (!updated) throw new DomainError("NOT_FOUND", "Conversation not found", { field: "id" });
      return updated;
    }),

  delete: protectedProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    if (!(await chat.deleteConversation(ctx.deps.db, ctx.user.id, input.id))) {
      throw new DomainError("NOT_FOUND", "Conversation not found", { field: "id" });
    }
    return { id: input.id };
  }),

  export: protectedProcedure
    .input(z.object({ id, format: z.enum(["json", "markdown"]) }))
    .query(async ({ ctx, input }) => {
      const conversation = await ownConversation(ctx, input.id);
      const { items, truncated } = await chat.exportBranch(
        ctx.deps.db,
        conversation.id,
        chatLimits.exportMessages,
      );
      return exportConversation(conversation, items, input.format, truncated);
    }),
});

const messagesRouter = router({
  /**
   * The active branch, a page at a time. Without a cursor: the newest messages. `direction`
   * "older" (default) pages back from `cursor` (a depth), "newer" forward. Each message
   * lists its siblings (alternatives from edits and regenerations) for a branch switcher.
   */
  list: protectedProcedure
    .input(
      z.object({
        conversationId: id,
        cursor: z.number().int().min(0).max(10_000_000).nullish(),
        direction: z.enum(["older", "newer"]).default("older"),
        limit: z.number().int().min(1).max(chatLimits.pageSize).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const conversation = await chat.getConversation(
        ctx.deps.db,
        ctx.user.id,
        input.conversationId,
      );
      if (!conversation)
        throw new DomainError("NOT_FOUND", "Conversation not found", { field: "conversationId" });
      const newer = input.direction === "newer";
      const cursor = input.cursor ?? undefined;
      const page = await chat.listActiveBranch(ctx.deps.db, conversation.id, {
        limit: input.limit,
        ...(newer ? { afterDepth: cursor ?? -1 } : { beforeDepth: cursor }),
      });
      const siblings = await chat.siblingIdsOf(ctx.deps.db, conversation.id, page.items);
      const items = page.items.map((message) => {
        const siblingIds = siblings.get(message.id) ?? [message.id];
        return { ...message, siblingIds, siblingIndex: siblingIds.indexOf(message.id) };
      });
      const edge = newer ? items.at(-1) : items[0];
      return { items, nextCursor: page.hasMore && edge ? edge.depth : null };
    }),

  /** Makes the branch through `messageId` the visible one (ancestors, it, newest descendants). */
  switchBranch: protectedProcedure
    .input(z.object({ messageId: id }))
    .mutation(async ({ ctx, input }) => {
      return chat.switchBranch(ctx.deps.db, ctx.user.id, input.messageId);
    }),
});

export const chatRouter = router({
  /** The models on offer; `configured: false` with a `hint` when no provider is set up. */
  models: protectedProcedure.query(async ({ ctx }) => {
    const { provider } = chatRuntime(ctx.deps);
    const { models, defaultModel } = await provider.listModels();
    return { configured: provider.configured, models, defaultModel, hint: provider.setupHint };
  }),

  conversations: conversationsRouter,
  messages: messagesRouter,

  send: protectedProcedure
    .input(
      z.object({
        conversationId: id.optional(),
        content,
        clientMessageId,
        /** Edit and resend: the new message follows this reply (null: replaces the first message). */
        parentId: id.nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => sendMessage(ctx.deps, ctx.req, ctx.user.id, input)),

  /**
   * A reply's text as it is written: `{ delta }` events, then one `{ status, usage, model,
   * error }`. Event ids let a dropped connection resume (lastEventId) on any replica with no
   * gap and no duplicate; a finished reply is replayed whole.
   */
  stream: protectedProcedure
    .input(z.object({ messageId: id, lastEventId: z.string().max(64).nullish() }))
    .subscription(async ({ ctx, input, signal }) => {
      const runtime = chatRuntime(ctx.deps);
      const start = parseEventId(input.lastEventId);
      if (!start)
        throw new DomainError("BAD_REQUEST", "Invalid lastEventId", { field: "lastEventId" });
      const message = await chat.findMessage(ctx.deps.db, ctx.user.id, input.messageId);
      if (!message) throw new DomainError("NOT_FOUND", "Message not found", { field: "messageId" });
      if (message.role !== "assistant") {
        throw new DomainError("BAD_REQUEST", "Only replies can be streamed", {
          field: "messageId",
        });
      }
      return replyEvents(
        { db: ctx.deps.db, bus: runtime.streamBus, settings: runtime.settings },
        message.id,
        start,
        signal,
      );
    }),

  stop: protectedProcedure
    .input(z.object({ messageId: id }))
    .mutation(({ ctx, input }) => stopReply(ctx.deps, ctx.user.id, input.messageId)),

  regenerate: protectedProcedure
    .input(z.object({ messageId: id }))
    .mutation(({ ctx, input }) => regenerateReply(ctx.deps, ctx.req, ctx.user.id, input.messageId)),
});
