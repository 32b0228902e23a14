import { TRPCError } from "@trpc/server";
import type { ApiKeyScope, AppDeps, AuthUser } from "./context";
import { DomainError } from "./errors";
import { baseProcedure } from "./trpc";

/** Anyone may call it; `ctx.user` is the caller when a credential came with the request. */
export const publicProcedure = baseProcedure;

/** A signed-in caller (access token or API key); narrows `ctx.user`. After a mutation the
 * caller's write position is noted and their cached history forgotten, so their next
 * history reads see it on any replica. Not exported: every procedure says what an API key
 * needs to call it (a scope, or a session), so a new procedure cannot be open to keys by
 * accident. */
const signedInProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const user = ctx.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  const result = await next({ ctx: { ...ctx, user } });
  if (type === "mutation") await historyWritten(ctx.deps, user.id);
  return result;
});

/**
 * After a write of the user's history has committed. In this order: a read that misses the
 * cache once the generation moved must find a replica that already has the write.
 */
export async function historyWritten(
  deps: Pick<AppDeps, "reads" | "historyCache">,
  userId: string,
) {
  await deps.reads?.noteWrite(userId);
  await deps.historyCache?.invalidate(userId);
}

/** Whether the caller may act with `scope`: a session may do anything its owner may; an API
 * key only what its scopes name. */
export function callerHasScope(user: AuthUser, scope: ApiKeyScope): boolean {
  return !user.apiKey || user.apiKey.scopes.includes(scope);
}

/** The refusal for a key without `scope`, shared by tRPC and the HTTP routes. */
export function missingScopeError(scope: ApiKeyScope): DomainError {
  return new DomainError("FORBIDDEN", `This API key lacks the \`${scope}\` scope`, {
    scope,
  });
}

const scoped = (scope: ApiKeyScope) =>
  signedInProcedure.use(({ ctx, next }) => {
    if (!callerHasScope(ctx.user, scope)) throw missingScopeError(scope);
    return next();
  });

/** Reads of the caller's own data: an API key needs `read`. */
export const readProcedure = scoped("read");

/** Creates and changes conversations, messages and files: an API key needs `chat`. */
export const writeProcedure = scoped("chat");

/** Account management needs a signed-in session: no API key may change the account itself
 * (email, password, sessions, keys, two-factor, deletion), whatever its scopes. */
export const sessionProcedure = signedInProcedure.use(({ ctx, next }) => {
  if (!ctx.user.sessionId || ctx.user.apiKey) {
    throw new DomainError("FORBIDDEN", "Sign in with your password to do this; API keys cannot");
  }
  return next({ ctx: { ...ctx, user: { ...ctx.user, sessionId: ctx.user.sessionId } } });
});

/** Admins only; an admin's API key also needs the `admin` scope. */
export const adminProcedure = signedInProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  if (!callerHasScope(ctx.user, "admin")) throw missingScopeError("admin");
  return next({ ctx });
});

/** Chat procedures get the chat runtime as `ctx.chat`, or a clear 503 when this process
 * was built without one (tests of other areas leave it out). */
const withChat = <P extends typeof readProcedure>(procedure: P) =>
  procedure.use(({ ctx, next }) => {
    if (!ctx.deps.chat)
      throw new DomainError("SERVICE_UNAVAILABLE", "Chat is not available on this server");
    return next({ ctx: { ...ctx, chat: ctx.deps.chat } });
  });

/** Talking to models (send, stop, regenerate, a reply's stream): an API key needs `chat`. */
export const chatProcedure = withChat(writeProcedure);

/** What the chat runtime offers (the models): an API key needs `read`. */
export const chatReadProcedure = withChat(readProcedure);
