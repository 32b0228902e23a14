import { router } from "../trpc";
import { authRouter } from "./auth";
import { chatRouter } from "./chat";
import { healthRouter } from "./health";
import { userRouter } from "./user";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  user: userRouter,
  chat: chatRouter,
});

export type AppRouter = typeof appRouter;
