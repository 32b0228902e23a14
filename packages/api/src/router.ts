import { mergeRouters, router } from "./core/trpc";
import { authRouter } from "./features/auth/router";
import { chatRouter } from "./features/chat/router";
import { filesRouter } from "./features/files/router";
import { healthRouter } from "./features/health/router";
import { usageAdminRouter, usageRouter } from "./features/usage/router";
import { userAdminRouter, userRouter } from "./features/users/router";

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
});

export type AppRouter = typeof appRouter;
