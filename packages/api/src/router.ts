import { router } from "./core/trpc";
import { authRouter } from "./features/auth/router";
import { chatRouter } from "./features/chat/router";
import { healthRouter } from "./features/health/router";
import { userRouter } from "./features/users/router";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  user: userRouter,
  chat: chatRouter,
});

export type AppRouter = typeof appRouter;
