import { readProcedure, writeProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { createFolderInput, deleteFolderInput, renameFolderInput } from "./schemas";
import { createFolder, deleteFolder, listFolders, renameFolder } from "./service";

/** The caller's folders of conversations. Filing a conversation is chat.conversations.move. */
export const foldersRouter = router({
  list: readProcedure.query(({ ctx }) => listFolders(ctx.deps, ctx.user.id)),

  create: writeProcedure
    .input(createFolderInput)
    .mutation(({ ctx, input }) => createFolder(ctx.deps, ctx.user.id, input.name)),

  rename: writeProcedure
    .input(renameFolderInput)
    .mutation(({ ctx, input }) => renameFolder(ctx.deps, ctx.user.id, input.id, input.name)),

  /** Deletes the folder and keeps its conversations, moved out of it. */
  delete: writeProcedure
    .input(deleteFolderInput)
    .mutation(({ ctx, input }) => deleteFolder(ctx.deps, ctx.user.id, input.id)),
});
