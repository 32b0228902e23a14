import { users } from "@parley/db";
import { z } from "zod";
import { changePassword, deleteAccount, setUserDisabled, setUserRole } from "./service";
import { clearRefreshCookie } from "../../core/auth/cookies";
import type { PublicUser, UserPage } from "../../core/auth/public-types";
import {
  currentPasswordSchema,
  emailSchema,
  passwordSchema,
  usernameSchema,
} from "../../core/auth/schemas";
import { adminProcedure, protectedProcedure, router } from "../../core/trpc";
import { sessionProcedure } from "../auth/router";

const ADMIN_PAGE_SIZE = 50;

const adminRouter = router({
  list: adminProcedure
    .input(
      z
        .object({
          query: z.string().trim().max(255, "Search at most 255 characters").optional(),
          cursor: z.uuid("Invalid cursor").optional(),
          limit: z.number().int().min(1).max(ADMIN_PAGE_SIZE).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }): Promise<UserPage> =>
      users.listUsers(ctx.deps.db, {
        ...(input?.query ? { query: input.query } : {}),
        ...(input?.cursor ? { cursor: input.cursor } : {}),
        limit: input?.limit ?? ADMIN_PAGE_SIZE,
      }),
    ),

  setRole: adminProcedure
    .input(z.object({ userId: z.uuid("Unknown user"), role: z.enum(["user", "admin"]) }))
    .mutation(({ ctx, input }) => setUserRole(ctx.deps, input.userId, input.role)),

  setDisabled: adminProcedure
    .input(z.object({ userId: z.uuid("Unknown user"), disabled: z.boolean() }))
    .mutation(({ ctx, input }) =>
      setUserDisabled(ctx.deps, ctx.user.id, input.userId, input.disabled),
    ),
});

export const userRouter = router({
  update: protectedProcedure
    .input(
      z
        .object({ username: usernameSchema.optional(), email: emailSchema.optional() })
        .refine((v) => v.username !== undefined || v.email !== undefined, "Nothing to change"),
    )
    .mutation(({ ctx, input }): Promise<PublicUser> =>
      users.updateUser(ctx.deps.db, ctx.user.id, {
        ...(input.username !== undefined ? { username: input.username } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
      }),
    ),

  /** Signs out every other session of the account. */
  changePassword: sessionProcedure
    .input(z.object({ current: currentPasswordSchema, next: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.deps, ctx.user, input, ctx.req);
      return { ok: true as const };
    }),

  /** Removes the account and everything in it (conversations, messages, sessions, keys). */
  delete: sessionProcedure
    .input(z.object({ password: currentPasswordSchema }))
    .mutation(async ({ ctx, input }) => {
      await deleteAccount(ctx.deps, ctx.user.id, input.password, ctx.req);
      clearRefreshCookie(ctx.req);
      return { ok: true as const };
    }),

  admin: adminRouter,
});
