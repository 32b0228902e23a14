import { z } from "zod";
import { text } from "../../core/input";
import {
  currentPasswordSchema,
  emailSchema,
  passwordSchema,
  usernameSchema,
} from "../../core/auth/schemas";

/** The largest admin page, and the one given when none is asked for. */
export const ADMIN_PAGE_MAX = 50;

export const updateProfileInput = z
  .object({ username: usernameSchema.optional(), email: emailSchema.optional() })
  .refine((v) => v.username !== undefined || v.email !== undefined, "Nothing to change");
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

export const changePasswordInput = z.object({
  current: currentPasswordSchema,
  next: passwordSchema,
});

export const deleteAccountInput = z.object({ password: currentPasswordSchema });

export const adminListInput = z
  .object({
    query: text().trim().max(255, "Search at most 255 characters").optional(),
    cursor: z.uuid("Invalid cursor").optional(),
    limit: z.number().int().min(1).max(ADMIN_PAGE_MAX).optional(),
  })
  .optional();
export type AdminListInput = z.infer<typeof adminListInput>;

export const setRoleInput = z.object({
  userId: z.uuid("Unknown user"),
  role: z.enum(["user", "admin"]),
});

export const setDisabledInput = z.object({
  userId: z.uuid("Unknown user"),
  disabled: z.boolean(),
});
