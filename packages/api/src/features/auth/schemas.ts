import { z } from "zod";
import { API_KEY_SCOPES } from "../../core/context";
import { sensitive, text } from "../../core/input";
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
  inviteCode: sensitive(
    text().trim().min(1).max(128, "An invitation code is at most 128 characters"),
  ).optional(),
  ...deliveryInput,
});

export const loginInput = z.object({
  login: text().trim().min(1, "Enter your username or email").max(255, "At most 255 characters"),
  password: currentPasswordSchema,
  ...deliveryInput,
});

/** refresh and logout: the token in the body, or (omitted) the cookie. */
export const refreshTokenInput = z
  .object({ refreshToken: refreshTokenSchema.optional() })
  .optional();

export const revokeSessionInput = z.object({ id: idSchema });

/** The furthest a key's expiry may be set: five years. */
const MAX_KEY_LIFETIME_MS = 5 * 365 * 24 * 60 * 60 * 1000;

export const createApiKeyInput = z.object({
  name: text().trim().min(1, "Name the key").max(100, "Name must be at most 100 characters"),
  /** What the key may do; `admin` only for an admin's key. */
  scopes: z
    .array(z.enum(API_KEY_SCOPES, "Scopes are chat, read and admin"))
    .min(1, "Choose at least one scope")
    .max(API_KEY_SCOPES.length)
    .default(["chat", "read"]),
  /** When the key stops working; absent or null for never. */
  expiresAt: z
    .date("Give the expiry as a date")
    .refine((d) => d.getTime() > Date.now(), "The expiry must be in the future")
    .refine(
      (d) => d.getTime() <= Date.now() + MAX_KEY_LIFETIME_MS,
      "The expiry must be within five years",
    )
    .nullish(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const revokeApiKeyInput = z.object({ id: z.uuid("Unknown API key") });

/** A signed sign-in challenge: as good as a half-finished login, so never logged. */
const challengeSchema = sensitive(text().min(1, "Sign in again").max(2048, "Sign in again"));

export const twoFactorVerifyInput = z
  .object({ challenge: challengeSchema, ...secondFactorSchema, ...deliveryInput })
  .refine(needsOneFactor, oneFactorMessage);

export const twoFactorSetupBeginInput = z.object({ challenge: challengeSchema });

export const twoFactorSetupConfirmInput = z.object({
  challenge: challengeSchema,
  code: totpCodeSchema,
  ...deliveryInput,
});
