import { publicProcedure, readProcedure, writeProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { createShareInput, listSharesInput, revokeShareInput, viewShareInput } from "./schemas";
import { createShare, listShares, revokeShare, viewShare } from "./service";

/** Sent with every answer about a shared snapshot: never indexed by search engines. */
export const NO_INDEX = "noindex, nofollow, noarchive";

export const shareRouter = router({
  /** A new read-only link to the conversation's active branch as it is now. */
  create: writeProcedure
    .input(createShareInput)
    .mutation(({ ctx, input }) => createShare(ctx.deps, ctx.user.id, input.conversationId)),

  /** The caller's links, of one conversation or all. */
  list: readProcedure
    .input(listSharesInput)
    .query(({ ctx, input }) => listShares(ctx.deps, ctx.user.id, input.conversationId)),

  /** Revokes a link at once: visits answer 404 from then on. */
  revoke: writeProcedure
    .input(revokeShareInput)
    .mutation(({ ctx, input }) => revokeShare(ctx.deps, ctx.user.id, input.id)),

  /** Anyone with the link, signed in or not. */
  view: publicProcedure.input(viewShareInput).query(({ ctx, input }) => {
    ctx.req.responseHeaders.set("X-Robots-Tag", NO_INDEX);
    return viewShare(ctx.deps, input.token);
  }),
});
