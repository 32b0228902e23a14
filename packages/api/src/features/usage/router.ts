import { z } from "zod";
import { adminProcedure, readProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { adminUsage, setUserQuota, usageSummary, type QuotaChange } from "./service";

/** `user.usage`: the caller's own figures. */
export const usageRouter = router({
  usage: readProcedure.query(({ ctx }) => usageSummary(ctx.deps, ctx.user.id)),
});

/** Merged into `user.admin`. */
export const usageAdminRouter = router({
  /** Everyone's tokens today and this month, with their quota. */
  usage: adminProcedure.query(({ ctx }) => adminUsage(ctx.deps)),

  /** A user's daily token quota: a number (0 = unlimited), or null for QUOTA_TOKENS_PER_DAY. */
  setQuota: adminProcedure
    .input(
      z.object({
        userId: z.uuid("Unknown user"),
        tokensPerDay: z
          .number()
          .int("Use a whole number of tokens")
          .min(0, "Use 0 for unlimited, or more")
          .max(2_000_000_000, "At most 2,000,000,000 tokens a day")
          .nullable(),
      }),
    )
    .mutation(({ ctx, input }): Promise<QuotaChange> =>
      setUserQuota(ctx.deps, { actorId: ctx.user.id, ...input }, ctx.req),
    ),
});
