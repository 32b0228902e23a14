import {
  chatProcedure,
  chatReadProcedure,
  readProcedure,
  writeProcedure,
} from "../../core/procedures";
import { router } from "../../core/trpc";
import {
  bulkArchiveInput,
  bulkDeleteInput,
  byIdInput,
  byMessageIdInput,
  createConversationInput,
  exportConversationInput,
  listConversationsInput,
  listMessagesInput,
  moveConversationInput,
  searchConversationsInput,
  sendInput,
  streamInput,
  updateConversationInput,
} from "./schemas";
import {
  archiveConversations,
  createConversation,
  deleteConversation,
  deleteConversations,
  exportConversation,
  getConversation,
  listConversations,
  listMessages,
  listModels,
  moveConversation,
  continueReply,
  regenerateReply,
  searchConversations,
  sendMessage,
  stopReply,
  streamReply,
  switchBranch,
  updateConversation,
} from "./service";

const conversationsRouter = router({
  list: readProcedure
    .input(listConversationsInput)
    .query(({ ctx, input }) => listConversations(ctx.deps, ctx.user.id, input)),

  search: readProcedure
    .input(searchConversationsInput)
    .query(({ ctx, input }) => searchConversations(ctx.deps, ctx.user.id, input)),

  create: chatProcedure
    .input(createConversationInput)
    .mutation(({ ctx, input }) =>
      createConversation(ctx.deps, ctx.chat, ctx.req, ctx.user.id, input),
    ),

  get: readProcedure
    .input(byIdInput)
    .query(({ ctx, input }) => getConversation(ctx.deps, ctx.user.id, input.id)),

  update: chatProcedure
    .input(updateConversationInput)
    .mutation(({ ctx, input }) => updateConversation(ctx.deps, ctx.chat, ctx.user.id, input)),

  delete: writeProcedure
    .input(byIdInput)
    .mutation(({ ctx, input }) => deleteConversation(ctx.deps, ctx.user.id, input.id)),

  /** Files the conversation in one of the caller's folders, or in none. */
  move: writeProcedure
    .input(moveConversationInput)
    .mutation(({ ctx, input }) => moveConversation(ctx.deps, ctx.user.id, input)),

  /** All of the selection, or nothing when any of it is not the caller's. */
  bulkArchive: writeProcedure
    .input(bulkArchiveInput)
    .mutation(({ ctx, input }) => archiveConversations(ctx.deps, ctx.user.id, input)),

  /** All of the selection, or nothing when any of it is not the caller's. */
  bulkDelete: writeProcedure
    .input(bulkDeleteInput)
    .mutation(({ ctx, input }) => deleteConversations(ctx.deps, ctx.user.id, input)),

  export: readProcedure
    .input(exportConversationInput)
    .query(({ ctx, input }) => exportConversation(ctx.deps, ctx.user.id, input.id, input.format)),
});

const messagesRouter = router({
  /** The active branch, a page at a time, each message with its siblings. */
  list: readProcedure
    .input(listMessagesInput)
    .query(({ ctx, input }) => listMessages(ctx.deps, ctx.user.id, input)),

  /** Makes the branch through `messageId` the visible one. */
  switchBranch: writeProcedure
    .input(byMessageIdInput)
    .mutation(({ ctx, input }) => switchBranch(ctx.deps, ctx.user.id, input.messageId)),
});

export const chatRouter = router({
  models: chatReadProcedure.query(({ ctx }) => listModels(ctx.chat, ctx.user)),

  conversations: conversationsRouter,
  messages: messagesRouter,

  send: chatProcedure
    .input(sendInput)
    .mutation(({ ctx, input }) =>
      sendMessage(ctx.deps, ctx.chat, ctx.req, ctx.user.id, input, ctx.user.quotaOverride),
    ),

  /** A reply's text as it is written, resumable from `lastEventId` on any replica. */
  stream: chatReadProcedure
    .input(streamInput)
    .subscription(({ ctx, input, signal }) =>
      streamReply(ctx.deps, ctx.chat, ctx.user.id, input, signal),
    ),

  stop: chatProcedure
    .input(byMessageIdInput)
    .mutation(({ ctx, input }) => stopReply(ctx.deps, ctx.chat, ctx.user.id, input.messageId)),

  /** A new version of a cut-off reply that opens with its text and goes on from it. */
  continue: chatProcedure
    .input(byMessageIdInput)
    .mutation(({ ctx, input }) =>
      continueReply(
        ctx.deps,
        ctx.chat,
        ctx.req,
        ctx.user.id,
        input.messageId,
        ctx.user.quotaOverride,
      ),
    ),

  regenerate: chatProcedure
    .input(byMessageIdInput)
    .mutation(({ ctx, input }) =>
      regenerateReply(
        ctx.deps,
        ctx.chat,
        ctx.req,
        ctx.user.id,
        input.messageId,
        ctx.user.quotaOverride,
      ),
    ),
});
