import { publicProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import { ping } from "./service";

export const healthRouter = router({
  /** A first, public procedure: the web page shows it to prove the stack is wired. */
  ping: publicProcedure.query(({ ctx }) => ping(ctx.deps)),
});
