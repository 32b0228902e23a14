import { protectedProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { deleteFileInput, listFilesInput } from "./schemas";
import { deleteFile, listFiles } from "./service";

/** Uploads and downloads are HTTP routes (/api/files, streamed); these manage what exists. */
export const filesRouter = router({
  /** The caller's files, newest first, with the storage they use and their quota. */
  list: protectedProcedure
    .input(listFilesInput)
    .query(({ ctx, input }) => listFiles(ctx.deps, ctx.user.id, input)),
  delete: protectedProcedure
    .input(deleteFileInput)
    .mutation(({ ctx, input }) => deleteFile(ctx.deps, ctx.user.id, input.id)),
});
