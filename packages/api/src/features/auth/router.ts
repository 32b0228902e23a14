import { auth as q, users } from "@parley/db";
import { z } from "zod";
import { logIn, registerAccount } from "../users/service";
import { createApiKey, revokeApiKey } from "./api-keys";
import {
  assertAllowedOrigin,
  clearRefreshCookie,
  readRefreshCookie,
  setRefreshCookie,
} from "../../core/auth/cookies";
import { describeDevice } from "./device";
import type { ApiKeyInfo, PublicUser, SessionInfo } from "../../core/auth/public-types";
import {
  currentPasswordSchema,
  emailSchema,
  idSchema,
  passwordSchema,
  refreshTokenSchema,
  usernameSchema,
} from "../../core/auth/schemas";
import {
  forgetCredentials,
  refreshSession,
  revokeSessions,
  sessionIdOfRefreshToken,
  type IssuedTokens,
} from "../../core/auth/sessions";
import type { Context } from "../../core/context";
import { DomainError } from "../../core/errors";
import { protectedProcedure, publicProcedure, router } from "../../core/trpc";

/** Account management needs a signed-in session: an API key cannot mint more keys. */
export const sessionProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.sessionId) {
    throw new DomainError("FORBIDDEN", "Sign in with your password to do this; API keys cannot");
  }
  return next({ ctx: { ...ctx, user: { ...ctx.user, sessionId: ctx.user.sessionId } } });
});

const deliveryInput = {
  /** Desktop apps and tools: return the refresh token in the body instead of a cookie. */
  refreshTokenInBody: z.boolean().optional(),
};

export interface AuthPayload {
  user: PublicUser;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** Present only when asked for in the body (desktop, tools); the web gets a cookie. */
  refreshToken?: string;
}

function deliver(
  ctx: Context,
  user: PublicUser,
  tokens: IssuedTokens,
  inBody: boolean,
): AuthPayload {
  const payload: AuthPayload = {
    user,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
  };
  if (tokens.refreshToken) {
    if (inBody) payload.refreshToken = tokens.refreshToken;
    else setRefreshCookie(ctx.req, tokens.refreshToken, ctx.deps.auth.config.sessionTtlSeconds);
  }
  return payload;
}

/** Login and register may set the cookie: a browser must call them from an allowed origin
 * (no login CSRF). Tools send no Origin and are not affected. */
function checkOriginForCookie(ctx: Context, inBody: boolean | undefined) {
  if (!inBody)
    assertAllowedOrigin(ctx.req, ctx.deps.auth.config.allowedOrigins, { required: false });
}

/** The caller, and how they authenticated. */
export interface Me extends PublicUser {
  /** The session behind the access token; null when calling with an API key. */
  sessionId: string | null;
  via: "session" | "apiKey";
}

const sessionsRouter = router({
  list: protectedProcedure.query(async ({ ctx }): Promise<SessionInfo[]> => {
    const sessions = await q.listSessions(ctx.deps.db, ctx.user.id);
    return sessions.map((s) => ({
      ...s,
      device: describeDevice(s.userAgent),
      current: s.id === ctx.user.sessionId,
    }));
  }),

  revoke: protectedProcedure.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => {
    const deleted = await q.deleteSession(ctx.deps.db, { id: input.id, userId: ctx.user.id });
    // Another user's session looks exactly like a missing one.
    if (!deleted) throw new DomainError("NOT_FOUND", "Session not found");
    await forgetCredentials(ctx.deps, { sessionIds: [input.id] });
    if (input.id === ctx.user.sessionId) clearRefreshCookie(ctx.req);
    return { ok: true as const };
  }),
});

const apiKeysRouter = router({
  create: sessionProcedure
    .input(
      z.object({
        name: z
          .string()
          .trim()
          .min(1, "Name the key")
          .max(100, "Name must be at most 100 characters"),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.deps, ctx.user.id, input.name)),

  list: protectedProcedure.query(({ ctx }): Promise<ApiKeyInfo[]> =>
    q.listApiKeys(ctx.deps.db, ctx.user.id),
  ),

  revoke: protectedProcedure
    .input(z.object({ id: z.uuid("Unknown API key") }))
    .mutation(async ({ ctx, input }) => {
      await revokeApiKey(ctx.deps, ctx.user.id, input.id);
      return { ok: true as const };
    }),
});

export const authRouter = router({
  register: publicProcedure
    .input(
      z.object({
        username: usernameSchema,
        email: emailSchema,
        password: passwordSchema,
        ...deliveryInput,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkOriginForCookie(ctx, input.refreshTokenInBody);
      const { user, tokens } = await registerAccount(ctx.deps, input, ctx.req);
      return deliver(ctx, user, tokens, input.refreshTokenInBody ?? false);
    }),

  login: publicProcedure
    .input(
      z.object({
        login: z
          .string()
          .trim()
          .min(1, "Enter your username or email")
          .max(255, "At most 255 characters"),
        password: currentPasswordSchema,
        ...deliveryInput,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      checkOriginForCookie(ctx, input.refreshTokenInBody);
      const { user, tokens } = await logIn(ctx.deps, input, ctx.req);
      return deliver(ctx, user, tokens, input.refreshTokenInBody ?? false);
    }),

  /**
   * A new access token for a refresh token given in the body (answered in the body) or in
   * the cookie (answered with a new cookie; the request's Origin must be allowed).
   */
  refresh: publicProcedure
    .input(z.object({ refreshToken: refreshTokenSchema.optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      const fromBody = input?.refreshToken;
      const token = fromBody ?? readRefreshCookie(ctx.req);
      if (!token) throw new DomainError("UNAUTHORIZED", "No refresh token; sign in again");
      if (!fromBody)
        assertAllowedOrigin(ctx.req, ctx.deps.auth.config.allowedOrigins, { required: true });
      try {
        const tokens = await refreshSession(ctx.deps, token, fromBody ? "body" : "cookie", ctx.req);
        const user = await users.findUserById(ctx.deps.db, tokens.userId);
        if (!user) throw new DomainError("UNAUTHORIZED", "Account not found; sign in again");
        return deliver(ctx, user, tokens, Boolean(fromBody));
      } catch (error) {
        if (!fromBody && error instanceof DomainError && error.code === "UNAUTHORIZED")
          clearRefreshCookie(ctx.req);
        throw error;
      }
    }),

  /** Ends the caller's session: the one behind the access token, else the refresh token
   * in the body, else the cookie (Origin checked). Always clears the cookie. */
  logout: publicProcedure
    .input(z.object({ refreshToken: refreshTokenSchema.optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      let sessionId = ctx.user?.sessionId ?? null;
      if (!sessionId && input?.refreshToken)
        sessionId = await sessionIdOfRefreshToken(ctx.deps, input.refreshToken);
      const cookie = readRefreshCookie(ctx.req);
      if (!sessionId && cookie) {
        assertAllowedOrigin(ctx.req, ctx.deps.auth.config.allowedOrigins, { required: true });
        sessionId = await sessionIdOfRefreshToken(ctx.deps, cookie);
      }
      if (sessionId) await revokeSessions(ctx.deps, [sessionId]);
      if (cookie) clearRefreshCookie(ctx.req);
      return { ok: true as const };
    }),

  me: protectedProcedure.query(async ({ ctx }): Promise<Me> => {
    const user = await users.findUserById(ctx.deps.db, ctx.user.id);
    if (!user) throw new DomainError("UNAUTHORIZED", "Account not found; sign in again");
    return {
      ...user,
      sessionId: ctx.user.sessionId,
      via: ctx.user.sessionId ? ("session" as const) : ("apiKey" as const),
    };
  }),

  sessions: sessionsRouter,
  apiKeys: apiKeysRouter,
});
