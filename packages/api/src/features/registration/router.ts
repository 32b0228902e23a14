import { z } from "zod";
import { emailSchema } from "../../core/auth/schemas";
import { adminProcedure, publicProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import {
  createInvitation,
  listInvitations,
  revokeInvitation,
  signUpInfo,
  type InvitationInfo,
  type SignUpInfo,
} from "./service";

const invitationsRouter = router({
  create: adminProcedure
    .input(
      z.object({
        email: emailSchema.optional(),
        days: z.number().int().min(1, "At least 1 day").max(90, "At most 90 days").default(7),
      }),
    )
    .mutation(({ ctx, input }) => createInvitation(ctx.deps, ctx.user.id, input, ctx.req)),

  list: adminProcedure.query(({ ctx }): Promise<InvitationInfo[]> => listInvitations(ctx.deps)),

  revoke: adminProcedure
    .input(z.object({ id: z.uuid("Unknown invitation") }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx.deps, ctx.user.id, input.id, ctx.req);
      return { ok: true as const };
    }),
});

export const registrationRouter = router({
  /** What the sign-in screen shows: the sign-up mode, first-account notice, SSO button. */
  info: publicProcedure.query(({ ctx }): Promise<SignUpInfo> => signUpInfo(ctx.deps)),
  invitations: invitationsRouter,
});
