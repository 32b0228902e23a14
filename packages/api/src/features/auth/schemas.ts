import { z } from "zod";
import {
  currentPasswordSchema,
  emailSchema,
  idSchema,
  passwordSchema,
  refreshTokenSchema,
  usernameSchema,
} from "../../core/auth/schemas";

const deliveryInput = {
  /** Desktop apps and tools: return the refresh token in the body instead of a cookie. */
  refreshTokenInBody: z.boolean().optional(),
};

export const registerInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  ...deliveryInput,
});

export const loginInput = z.object({
  login: z
    .string()
    .trim()
    .min(1, "Enter your username or email")
    .max(255, "At most 255 characters"),
  password: currentPasswordSchema,
  ...deliveryInput,
});

/** refresh and logout: the token in the body, or (omitted) the cookie. */
export const refreshTokenInput = z
  .object({ refreshToken: refreshTokenSchema.optional() })
  .optional();

export const revokeSessionInput = z.object({ id: idSchema });

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, "Name the key").max(100, "Name must be at most 100 characters"),
});

export const revokeApiKeyInput = z.object({ id: z.uuid("Unknown API key") });
