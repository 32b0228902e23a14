import { adminProcedure, writeProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { setFeedbackInput } from "./schemas";
import { feedbackCounts, setFeedback } from "./service";

export const feedbackRouter = router({
  /** Thumbs up or down on a reply of the caller's (null clears it). */
  set: writeProcedure
    .input(setFeedbackInput)
    .mutation(({ ctx, input }) => setFeedback(ctx.deps, ctx.user.id, input)),

  /** Admins: the counts per model. */
  counts: adminProcedure.query(({ ctx }) => feedbackCounts(ctx.deps)),
});
