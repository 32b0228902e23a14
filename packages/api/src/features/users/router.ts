import { router } from "../../core/trpc";
import { adminProcedure, sessionProcedure } from "../../core/procedures";
import {
  adminListInput,
  changePasswordInput,
  deleteAccountInput,
  setDisabledInput,
  setRoleInput,
  updateProfileInput,
} from "./schemas";
import {
  changePassword,
  deleteAccount,
  listUsers,
  setUserDisabled,
  setUserRole,
  updateProfile,
} from "./service";

/** `user.admin`; the root router merges other features' admin procedures into it. */
export const userAdminRouter = router({
  list: adminProcedure.input(adminListInput).query(({ ctx, input }) => listUsers(ctx.deps, input)),

  setRole: adminProcedure
    .input(setRoleInput)
    .mutation(({ ctx, input }) =>
      setUserRole(ctx.deps, ctx.user.id, input.userId, input.role, ctx.req),
    ),

  setDisabled: adminProcedure
    .input(setDisabledInput)
    .mutation(({ ctx, input }) =>
      setUserDisabled(ctx.deps, ctx.user.id, input.userId, input.disabled, ctx.req),
    ),
});

export const userRouter = router({
  /** Username and email are the account itself: a session only. */
  update: sessionProcedure
    .input(updateProfileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx.deps, ctx.user.id, input)),

  /** Signs out every other session of the account. */
  changePassword: sessionProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changePassword(ctx.deps, ctx.user, input, ctx.req);
    return { ok: true as const };
  }),

  /** Removes the account and everything in it (conversations, messages, sessions, keys). */
  delete: sessionProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    await deleteAccount(ctx.deps, ctx.user.id, input.password, ctx.req);
    return { ok: true as const };
  }),
});
