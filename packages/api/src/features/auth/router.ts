import { publicProcedure, readProcedure, sessionProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import {
  createApiKeyInput,
  loginInput,
  refreshTokenInput,
  registerInput,
  revokeApiKeyInput,
  revokeSessionInput,
  twoFactorSetupBeginInput,
  twoFactorSetupConfirmInput,
  twoFactorVerifyInput,
} from "./schemas";
import {
  beginRequiredSetup,
  confirmRequiredSetup,
  listSessions,
  logIn,
  logOut,
  me,
  refresh,
  register,
  revokeSession,
  verifyTwoFactorSignIn,
} from "./service";

/** The second sign-in step, reached with the challenge that auth.login answered with. */
const twoFactorSignInRouter = router({
  verify: publicProcedure
    .input(twoFactorVerifyInput)
    .mutation(({ ctx, input }) => verifyTwoFactorSignIn(ctx.deps, ctx.req, input)),

  /** 2FA is required and the account has none: enrol now, then the session is made. */
  setupBegin: publicProcedure
    .input(twoFactorSetupBeginInput)
    .mutation(({ ctx, input }) => beginRequiredSetup(ctx.deps, input.challenge)),

  setupConfirm: publicProcedure
    .input(twoFactorSetupConfirmInput)
    .mutation(({ ctx, input }) => confirmRequiredSetup(ctx.deps, ctx.req, input)),
});

const sessionsRouter = router({
  list: readProcedure.query(({ ctx }) => listSessions(ctx.deps, ctx.user)),

  revoke: sessionProcedure.input(revokeSessionInput).mutation(async ({ ctx, input }) => {
    await revokeSession(ctx.deps, ctx.req, ctx.user, input.id);
    return { ok: true as const };
  }),
});

const apiKeysRouter = router({
  create: sessionProcedure
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.deps, ctx.user, input, ctx.req)),

  list: readProcedure.query(({ ctx }) => listApiKeys(ctx.deps, ctx.user.id)),

  revoke: sessionProcedure.input(revokeApiKeyInput).mutation(async ({ ctx, input }) => {
    await revokeApiKey(ctx.deps, ctx.user.id, input.id, ctx.req);
    return { ok: true as const };
  }),
});

export const authRouter = router({
  register: publicProcedure
    .input(registerInput)
    .mutation(({ ctx, input }) => register(ctx.deps, ctx.req, input)),

  login: publicProcedure
    .input(loginInput)
    .mutation(({ ctx, input }) => logIn(ctx.deps, ctx.req, input)),

  /** A new access token for a refresh token in the body (answered in the body) or in the
   * cookie (answered with a new cookie). */
  refresh: publicProcedure
    .input(refreshTokenInput)
    .mutation(({ ctx, input }) => refresh(ctx.deps, ctx.req, input?.refreshToken)),

  /** Ends the caller's session; always clears the cookie. */
  logout: publicProcedure.input(refreshTokenInput).mutation(async ({ ctx, input }) => {
    await logOut(ctx.deps, ctx.req, ctx.user, input?.refreshToken);
    return { ok: true as const };
  }),

  me: readProcedure.query(({ ctx }) => me(ctx.deps, ctx.user)),

  sessions: sessionsRouter,
  apiKeys: apiKeysRouter,
  twoFactor: twoFactorSignInRouter,
});
