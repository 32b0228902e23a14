import { publicProcedure, router } from "../../core/trpc";

export const healthRouter = router({
  /** A first, public procedure: the web page shows it to prove the stack is wired. */
  ping: publicProcedure.query(async ({ ctx }) => {
    await ctx.deps.db.ping();
    return { ok: true as const, database: ctx.deps.db.kind, time: new Date() };
  }),
});
