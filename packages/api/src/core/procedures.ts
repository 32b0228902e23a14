import { TRPCError } from "@trpc/server";
import { DomainError } from "./errors";
import { baseProcedure } from "./trpc";

/** Anyone may call it; `ctx.user` is the caller when a credential came with the request. */
export const publicProcedure = baseProcedure;

/** A signed-in caller (access token or API key); narrows `ctx.user`. After a mutation the
 * caller's write position is noted, so their next history reads see it on any replica. */
export const protectedProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const user = ctx.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  const result = await next({ ctx: { ...ctx, user } });
  if (type === "mutation" && ctx.deps.reads) await ctx.deps.reads.noteWrite(user.id);
  return result;
});

/** Account management needs a signed-in session: an API key cannot mint more keys. */
export const sessionProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.sessionId) {
    throw new DomainError("FORBIDDEN", "Sign in with your password to do this; API keys cannot");
  }
  return next({ ctx: { ...ctx, user: { ...ctx.user, sessionId: ctx.user.sessionId } } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  return next({ ctx });
});

/** Chat procedures get the chat runtime as `ctx.chat`, or a clear 503 when this process
 * was built without one (tests of other areas leave it out). */
export const chatProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.deps.chat)
    throw new DomainError("SERVICE_UNAVAILABLE", "Chat is not available on this server");
  return next({ ctx: { ...ctx, chat: ctx.deps.chat } });
});
