import { TRPCError } from "@trpc/server";
import type { ApiKeyScope, AppDeps, AuthUser, Context } from "./context";
import { DomainError } from "./errors";
import { baseProcedure } from "./trpc";

/** Anyone may call it; `ctx.user` is the caller when a credential came with the request. */
export const publicProcedure = baseProcedure;

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

/**
 * The caller, checked: signed in (else UNAUTHORIZED), and for an API key holding `scope`.
 * After a mutation the caller's write position is noted and their cached history
 * forgotten, so their next history reads see it on any replica. Every signed-in procedure
 * below is one middleware (a tRPC middleware copies the call's options twice, so the checks
 * are not stacked), and passes on only what it changes.
 */
function signedIn(ctx: Context, scope: ApiKeyScope | null): AuthUser {
  const user = ctx.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  if (scope && !callerHasScope(user, scope)) throw missingScopeError(scope);
  return user;
}

async function afterCall<R>(ctx: Context, user: AuthUser, type: string, result: R): Promise<R> {
  if (type === "mutation") await historyWritten(ctx.deps, user.id);
  return result;
}

/** Chat procedures get the chat runtime as `ctx.chat`, or a clear 503 when this process
 * was built without one (tests of other areas leave it out). */
function chatRuntime(ctx: Context) {
  if (!ctx.deps.chat)
    throw new DomainError("SERVICE_UNAVAILABLE", "Chat is not available on this server");
  return ctx.deps.chat;
}

const scoped = (scope: ApiKeyScope) =>
  publicProcedure.use(async ({ ctx, type, next }) => {
    const user = signedIn(ctx, scope);
    return afterCall(ctx, user, type, await next({ ctx: { user } }));
  });

/** Reads of the caller's own data: an API key needs `read`. */
export const readProcedure = scoped("read");

/** Creates and changes conversations, messages and files: an API key needs `chat`. */
export const writeProcedure = scoped("chat");

/** Account management needs a signed-in session: no API key may change the account itself
 * (email, password, sessions, keys, two-factor, deletion), whatever its scopes. */
export const sessionProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const user = signedIn(ctx, null);
  if (!user.sessionId || user.apiKey) {
    throw new DomainError("FORBIDDEN", "Sign in with your password to do this; API keys cannot");
  }
  const sessionUser = { ...user, sessionId: user.sessionId };
  return afterCall(ctx, user, type, await next({ ctx: { user: sessionUser } }));
});

/** Admins only; an admin's API key also needs the `admin` scope. */
export const adminProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const user = signedIn(ctx, null);
  if (user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  if (!callerHasScope(user, "admin")) throw missingScopeError("admin");
  return afterCall(ctx, user, type, await next({ ctx: { user } }));
});

const withChat = (scope: ApiKeyScope) =>
  publicProcedure.use(async ({ ctx, type, next }) => {
    const user = signedIn(ctx, scope);
    const chat = chatRuntime(ctx);
    return afterCall(ctx, user, type, await next({ ctx: { user, chat } }));
  });

/** Talking to models (send, stop, regenerate, a reply's stream): an API key needs `chat`. */
export const chatProcedure = withChat("chat");

/** What the chat runtime offers (the models): an API key needs `read`. */
export const chatReadProcedure = withChat("read");
