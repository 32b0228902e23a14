import { readProcedure, writeProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { deleteFileInput, listFilesInput } from "./schemas";
import { deleteFile, listFiles } from "./service";

/** Uploads and downloads are HTTP routes (/api/files, streamed); these manage what exists. */
export const filesRouter = router({
  /** The caller's files, newest first, with the storage they use and their quota. */
  list: readProcedure
    .input(listFilesInput)
    .query(({ ctx, input }) => listFiles(ctx.deps, ctx.user.id, input)),
  delete: writeProcedure
    .input(deleteFileInput)
    .mutation(({ ctx, input }) => deleteFile(ctx.deps, ctx.user.id, input.id)),
});
