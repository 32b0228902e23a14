import { z } from "zod";
import {
  currentPasswordSchema,
  emailSchema,
  idSchema,
  passwordSchema,
  refreshTokenSchema,
  usernameSchema,
} from "../../core/auth/schemas";
import {
  needsOneFactor,
  oneFactorMessage,
  secondFactorSchema,
  totpCodeSchema,
} from "../../core/auth/second-factor-schemas";

const deliveryInput = {
  /** Desktop apps and tools: return the refresh token in the body instead of a cookie. */
  refreshTokenInBody: z.boolean().optional(),
};

export const registerInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Needed when REGISTRATION=invite. */
  inviteCode: z
    .string()
    .trim()
    .min(1)
    .max(128, "An invitation code is at most 128 characters")
    .optional(),
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

const challengeSchema = z.string().min(1, "Sign in again").max(2048, "Sign in again");

export const twoFactorVerifyInput = z
  .object({ challenge: challengeSchema, ...secondFactorSchema, ...deliveryInput })
  .refine(needsOneFactor, oneFactorMessage);

export const twoFactorSetupBeginInput = z.object({ challenge: challengeSchema });

export const twoFactorSetupConfirmInput = z.object({
  challenge: challengeSchema,
  code: totpCodeSchema,
  ...deliveryInput,
});
