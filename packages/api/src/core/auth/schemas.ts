import { z } from "zod";
import { sensitive, text } from "../input";

/** Inputs shared by the auth and user routers. Every message names the rule broken; the
 * field name comes from the error shape (`data.zodError.fieldErrors.<field>`). */

export const usernameSchema = text()
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(50, "Username must be at most 50 characters")
  .regex(/^[A-Za-z0-9_.-]+$/, "Username may contain only letters, digits, '_', '.' and '-'");

export const emailSchema = text()
  .trim()
  .toLowerCase()
  .max(255, "Email must be at most 255 characters")
  .pipe(z.email("Enter a valid email address"));

// No trimming and no truncation: every character of a password counts.
export const passwordSchema = sensitive(
  text()
    .min(8, "Password must be at least 8 characters")
    .max(256, "Password must be at most 256 characters"),
);

/** A password being checked rather than chosen: only the size limit applies, so an old
 * password that predates a rule can still be used to sign in. */
export const currentPasswordSchema = sensitive(
  text().min(1, "Enter your password").max(256, "Password must be at most 256 characters"),
);

/** Refresh tokens are 52 base32 characters; anything longer is refused before hashing. */
export const refreshTokenSchema = sensitive(text().min(1).max(128));

export const idSchema = text().min(1).max(64);
