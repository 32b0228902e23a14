import { z } from "zod";
import { sensitive, text } from "../input";

export const totpCodeSchema = sensitive(
  text()
    .trim()
    .transform((v) => v.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your app")),
);

export const recoveryCodeSchema = sensitive(
  text().trim().min(1, "Enter a recovery code").max(64, "A recovery code is at most 64 characters"),
);

/** A TOTP code or, when the authenticator is lost, one recovery code. */
export const secondFactorSchema = {
  code: totpCodeSchema.optional(),
  recoveryCode: recoveryCodeSchema.optional(),
};

export const needsOneFactor = (v: {
  code?: string | undefined;
  recoveryCode?: string | undefined;
}) => Boolean(v.code) !== Boolean(v.recoveryCode);
export const oneFactorMessage = {
  message: "Enter either a code from your app or a recovery code",
  path: ["code"],
};
