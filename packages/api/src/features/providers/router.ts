import { adminProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import {
  createProviderInput,
  deleteProviderInput,
  testProviderInput,
  updateProviderInput,
} from "./schemas";
import {
  createProvider,
  deleteProvider,
  listProviders,
  testProvider,
  updateProvider,
} from "./service";

/** Model providers (OpenAI-compatible endpoints), instance-wide: admins only, and an admin's
 * API key needs the `admin` scope. Users see the models through chat.models. */
export const providersRouter = router({
  list: adminProcedure.query(({ ctx }) => listProviders(ctx.deps)),

  create: adminProcedure
    .input(createProviderInput)
    .mutation(({ ctx, input }) => createProvider(ctx.deps, ctx.user.id, input, ctx.req)),

  update: adminProcedure
    .input(updateProviderInput)
    .mutation(({ ctx, input }) => updateProvider(ctx.deps, ctx.user.id, input, ctx.req)),

  delete: adminProcedure
    .input(deleteProviderInput)
    .mutation(({ ctx, input }) => deleteProvider(ctx.deps, ctx.user.id, input.id, ctx.req)),

  /** "Test connection": a read, though a mutation so it is never cached or retried. */
  test: adminProcedure
    .input(testProviderInput)
    .mutation(({ ctx, input }) => testProvider(ctx.deps, input)),
});
