import { z } from "zod";
import { text, timestamp } from "../../core/input";
import { chatLimits } from "./settings";

const id = z.uuid();
const title = text().trim().min(1).max(chatLimits.title);
const model = text().trim().min(1).max(chatLimits.model);
const systemPrompt = text().max(chatLimits.systemPrompt);
const temperature = z.number().min(0).max(2);
const content = text().max(
  chatLimits.content,
  `Messages are limited to ${chatLimits.content.toLocaleString("en")} characters`,
);
const clientMessageId = text()
  .min(1)
  .max(chatLimits.clientMessageId)
  .regex(/^[A-Za-z0-9_-]+$/, "Use letters, digits, - and _ only");
/** "<updatedAt ms>_<id>", as returned in nextCursor: read into its parts, each checked in
 * full (a date Postgres can hold, a real uuid), so a crafted one is a 400, not a 500. */
const cursorParts = z.object({ updatedAt: timestamp(), id: z.uuid() });
const conversationCursor = text()
  .max(60, "Invalid cursor")
  .transform((cursor, ctx) => {
    const [ms, id, extra] = cursor.split("_");
    const parts = cursorParts.safeParse({ updatedAt: new Date(Number(ms || NaN)), id });
    if (extra !== undefined || !/^\d{1,16}$/.test(ms ?? "") || !parts.success) {
      ctx.issues.push({ code: "custom", message: "Invalid cursor", input: cursor });
      return z.NEVER;
    }
    return parts.data;
  });

export const byIdInput = z.object({ id });
export const byMessageIdInput = z.object({ messageId: id });

export const listConversationsInput = z
  .object({
    cursor: conversationCursor.nullish(),
    limit: z.number().int().min(1).max(chatLimits.pageSize).default(30),
    query: text().trim().max(chatLimits.query).optional(),
    archived: z.boolean().optional(),
    pinned: z.boolean().optional(),
    /** Only the conversations in this folder; null: those in no folder. Absent: any. */
    folderId: id.nullable().optional(),
  })
  .default({ limit: 30 });
export type ListConversationsInput = z.infer<typeof listConversationsInput>;

export const searchConversationsInput = z.object({
  query: text().trim().min(1).max(chatLimits.query),
  limit: z.number().int().min(1).max(chatLimits.pageSize).default(20),
});
export type SearchConversationsInput = z.infer<typeof searchConversationsInput>;

export const createConversationInput = z
  .object({
    title: title.optional(),
    model: model.optional(),
    systemPrompt: systemPrompt.optional(),
    temperature: temperature.optional(),
    /** Starts from one of the caller's presets: its system prompt, model and temperature,
     * each overridden by the field given here. */
    presetId: id.optional(),
  })
  .default({});
export type CreateConversationInput = z.infer<typeof createConversationInput>;

export const updateConversationInput = z.object({
  id,
  title: title.optional(),
  model: model.nullable().optional(),
  systemPrompt: systemPrompt.nullable().optional(),
  temperature: temperature.nullable().optional(),
  pinned: z.boolean().optional(),
  archived: z.boolean().optional(),
});
export type UpdateConversationInput = z.infer<typeof updateConversationInput>;

export const moveConversationInput = z.object({ id, folderId: id.nullable() });

/** Several conversations at once (a selection in the sidebar), each named once. */
const selection = z
  .array(id)
  .min(1, "Select a conversation first")
  .max(chatLimits.bulk, `At most ${chatLimits.bulk} conversations at once`)
  .refine((ids) => new Set(ids).size === ids.length, "A conversation is selected twice");

export const bulkArchiveInput = z.object({ ids: selection, archived: z.boolean().default(true) });
export const bulkDeleteInput = z.object({ ids: selection });

export const exportConversationInput = z.object({ id, format: z.enum(["json", "markdown"]) });

export const listMessagesInput = z.object({
  conversationId: id,
  cursor: z.number().int().min(0).max(10_000_000).nullish(),
  /** Which way to page from `cursor`. Not `direction`: tRPC's infinite queries send their
   * own `direction` ("forward" | "backward") in the input, which this schema drops. */
  toward: z.enum(["older", "newer"]).default("older"),
  limit: z.number().int().min(1).max(chatLimits.pageSize).default(50),
});
export type ListMessagesInput = z.infer<typeof listMessagesInput>;

export const sendInput = z
  .object({
    conversationId: id.optional(),
    content,
    clientMessageId,
    /** Edit and resend: the new message follows this reply (null: replaces the first message). */
    parentId: id.nullable().optional(),
    /** A new conversation (no conversationId) starts from one of the caller's presets: its
     * system prompt, model and temperature, the model overridden by `model`. */
    presetId: id.optional(),
    /** A new conversation's model, when not the default. */
    model: model.optional(),
    /** Files uploaded with POST /api/files (the sender's own), shown and sent to the model. */
    attachmentIds: z
      .array(id)
      .max(chatLimits.attachments, `At most ${chatLimits.attachments} files per message`)
      .refine((ids) => new Set(ids).size === ids.length, "A file is attached twice")
      .optional(),
  })
  // A message may be only its files (a photo, a document to read), but not nothing at all.
  .refine((input) => input.content.trim().length > 0 || (input.attachmentIds?.length ?? 0) > 0, {
    message: "Write something first",
    path: ["content"],
  });
export type SendInput = z.infer<typeof sendInput>;

export const streamInput = z.object({
  messageId: id,
  lastEventId: text().max(64).nullish(),
});
