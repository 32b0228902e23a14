import { z } from "zod";
import { currentPasswordSchema } from "../../core/auth/schemas";
import { adminProcedure, readProcedure, sessionProcedure } from "../../core/procedures";
import { router } from "../../core/trpc";
import {
  needsOneFactor,
  oneFactorMessage,
  secondFactorSchema,
  totpCodeSchema,
} from "../../core/auth/second-factor-schemas";
import {
  beginEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  renewRecoveryCodes,
  setRequired,
  twoFactorStatus,
  type TwoFactorStatus,
} from "./service";

/** Changing the second factor changes the account: a signed-in session only, no API key. */
export const twoFactorRouter = router({
  status: readProcedure.query(({ ctx }): Promise<TwoFactorStatus> =>
    twoFactorStatus(ctx.deps, ctx.user.id),
  ),

  /** A fresh secret with its QR code; nothing changes until `confirm`. */
  begin: sessionProcedure.mutation(({ ctx }) => beginEnrolment(ctx.deps, ctx.user.id)),

  confirm: sessionProcedure
    .input(z.object({ code: totpCodeSchema }))
    .mutation(({ ctx, input }) => confirmEnrolment(ctx.deps, ctx.user.id, input.code, ctx.req)),

  disable: sessionProcedure
    .input(
      z
        .object({ password: currentPasswordSchema, ...secondFactorSchema })
        .refine(needsOneFactor, oneFactorMessage),
    )
    .mutation(async ({ ctx, input }) => {
      await disableTwoFactor(ctx.deps, ctx.user.id, input, ctx.req);
      return { ok: true as const };
    }),

  regenerateRecoveryCodes: sessionProcedure
    .input(z.object(secondFactorSchema).refine(needsOneFactor, oneFactorMessage))
    .mutation(({ ctx, input }) => renewRecoveryCodes(ctx.deps, ctx.user.id, input, ctx.req)),

  /** Admins: require two-factor sign-in for every account. */
  setRequired: adminProcedure
    .input(z.object({ required: z.boolean() }))
    .mutation(({ ctx, input }) => setRequired(ctx.deps, ctx.user.id, input.required, ctx.req)),
});
