import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { mergeRouters, router } from "./core/trpc";
import { authRouter } from "./features/auth/router";
import { chatRouter } from "./features/chat/router";
import { filesRouter } from "./features/files/router";
import { healthRouter } from "./features/health/router";
import { usageAdminRouter, usageRouter } from "./features/usage/router";
import { userAdminRouter, userRouter } from "./features/users/router";
import { auditRouter } from "./features/audit/router";
import { registrationRouter } from "./features/registration/router";
import { twoFactorRouter } from "./features/two-factor/router";
import { shareRouter } from "./features/share/router";
import { foldersRouter } from "./features/folders/router";
import { presetsRouter } from "./features/presets/router";
import { feedbackRouter } from "./features/feedback/router";
import { providersRouter } from "./features/providers/router";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  user: mergeRouters(
    userRouter,
    usageRouter,
    router({ admin: mergeRouters(userAdminRouter, usageAdminRouter) }),
  ),
  chat: chatRouter,
  files: filesRouter,
  twoFactor: twoFactorRouter,
  registration: registrationRouter,
  audit: auditRouter,
  share: shareRouter,
  folders: foldersRouter,
  presets: presetsRouter,
  feedback: feedbackRouter,
  providers: providersRouter,
});

export type AppRouter = typeof appRouter;
/** What each procedure takes and returns, and the error data it may send: the UI and the
 * typed client use these instead of copies that could drift. */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterErrorData = inferRouterError<AppRouter>["data"];
