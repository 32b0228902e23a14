import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { settings, twoFactor as q } from "@parley/db";
import { jwtVerify, SignJWT } from "jose";
import type { AppDeps, RequestMeta } from "../context";
import { openSecret, sealSecret } from "../crypto";
import { DomainError } from "../errors";
import type { AuthConfig } from "./config";
import { enforceRateLimit, rateLimitKeys } from "../rate-limits";
import { sha256Hex } from "./tokens";
import { generateTotpKey, matchTotpStep, qrCodeDataUrl, totpUri } from "./totp";

/**
 * Second factors shared by sign-in (features/users) and the settings screen
 * (features/two-factor): TOTP secrets sealed by the key module, single-use recovery codes,
 * and the short-lived signed challenge that stands between the password step and a session.
 */

export const RECOVERY_CODE_COUNT = 10;
const CHALLENGE_TTL_SECONDS = 5 * 60;
const REQUIRED_SETTING = "two_factor_required";

// ---- challenges ----

/** `code`: the account has an authenticator; `setup`: 2FA is required and it has none. */
export type ChallengePurpose = "code" | "setup";

const encoder = new TextEncoder();
const challengeAudience = (config: AuthConfig) => `${config.audience}:second-factor`;

/** Proof that the password step passed. Its own audience: it is never an access token. */
export async function issueChallenge(
  config: AuthConfig,
  userId: string,
  purpose: ChallengePurpose,
): Promise<{ challenge: string; expiresAt: Date }> {
  const exp = Math.floor(Date.now() / 1000) + CHALLENGE_TTL_SECONDS;
  const challenge = await new SignJWT({ purpose })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(config.issuer)
    .setAudience(challengeAudience(config))
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(encoder.encode(config.jwtSecret));
  return { challenge, expiresAt: new Date(exp * 1000) };
}

export async function readChallenge(
  config: AuthConfig,
  challenge: string,
  purpose: ChallengePurpose,
): Promise<string> {
  try {
    const { payload } = await jwtVerify(challenge, encoder.encode(config.jwtSecret), {
      algorithms: ["HS256"],
      issuer: config.issuer,
      audience: challengeAudience(config),
      requiredClaims: ["sub", "exp"],
    });
    if (payload.purpose === purpose && typeof payload.sub === "string") return payload.sub;
  } catch {
    // Expired, forged or malformed: all the same to the caller.
  }
  throw new DomainError("UNAUTHORIZED", "The sign-in step expired; enter your password again");
}

// ---- the admin switch ----

export async function isTwoFactorRequired(deps: Pick<AppDeps, "db">): Promise<boolean> {
  return (await settings.readSetting(deps.db, REQUIRED_SETTING)) === true;
}

export async function setTwoFactorRequired(deps: Pick<AppDeps, "db">, required: boolean) {
  await settings.writeSetting(deps.db, REQUIRED_SETTING, required);
}

// ---- TOTP enrolment ----

const secretContext = (userId: string) => `totp:${userId}`;

export interface TotpEnrolment {
  /** For typing into an app by hand (base32). */
  secret: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code as an SVG data URL. */
  qrCode: string;
}

/** Starts (or restarts) enrolment with a fresh secret; confirmTotp turns it on. */
export async function beginTotpEnrolment(
  deps: Pick<AppDeps, "db" | "keyRing">,
  user: { id: string; username: string },
): Promise<TotpEnrolment> {
  const key = generateTotpKey();
  const secret = encodeBase32UpperCaseNoPadding(key);
  const sealed = await sealSecret(deps.keyRing, secret, secretContext(user.id));
  if (!(await q.upsertPendingTotp(deps.db, user.id, sealed)))
    throw new DomainError("CONFLICT", "Two-factor sign-in is already on");
  const uri = totpUri("Parley", user.username, key);
  return { secret, uri, qrCode: await qrCodeDataUrl(uri) };
}

/** Turns the pending authenticator on when `code` matches it; returns the recovery codes,
 * shown this once. */
export async function confirmTotp(
  deps: Pick<AppDeps, "db" | "keyRing" | "rateLimiter" | "auth">,
  userId: string,
  code: string,
  req: RequestMeta,
): Promise<string[]> {
  await limitAttempts(deps, userId, req);
  const row = await q.findTotp(deps.db, userId);
  if (!row || row.enabledAt)
    throw new DomainError("PRECONDITION_FAILED", "Start two-factor setup first");
  await claimCode(deps, userId, row.secretSealed, code);
  const codes = generateRecoveryCodes();
  const hashes = codes.map((c) => hashRecoveryCode(userId, c));
  if (!(await q.enableTotp(deps.db, userId, hashes)))
    throw new DomainError("CONFLICT", "Two-factor sign-in is already on");
  return codes;
}

// ---- verifying a second factor ----

export type SecondFactorMethod = "totp" | "recovery_code";

export interface SecondFactorInput {
  code?: string | undefined;
  recoveryCode?: string | undefined;
}

/**
 * Checks a TOTP code (each code once: its time step is claimed) or spends a recovery code.
 * Rate limited per user. Throws BAD_REQUEST naming the field.
 */
export async function verifySecondFactor(
  deps: Pick<AppDeps, "db" | "keyRing" | "rateLimiter" | "auth">,
  userId: string,
  input: SecondFactorInput,
  req: RequestMeta,
): Promise<SecondFactorMethod> {
  await limitAttempts(deps, userId, req);
  if (input.recoveryCode) {
    if (await q.useRecoveryCode(deps.db, userId, hashRecoveryCode(userId, input.recoveryCode)))
      return "recovery_code";
    throw new DomainError("BAD_REQUEST", "That recovery code is not valid or was already used", {
      field: "recoveryCode",
    });
  }
  const row = await q.findTotp(deps.db, userId);
  if (!row?.enabledAt)
    throw new DomainError("PRECONDITION_FAILED", "Two-factor sign-in is not on for this account");
  await claimCode(deps, userId, row.secretSealed, input.code ?? "");
  return "totp";
}

async function claimCode(
  deps: Pick<AppDeps, "db" | "keyRing">,
  userId: string,
  sealed: string,
  code: string,
) {
  const secret = await openSecret(deps.keyRing, sealed, secretContext(userId));
  const step = matchTotpStep(decodeBase32IgnorePadding(secret), code.replace(/\s/g, ""));
  if (step === null)
    throw new DomainError("BAD_REQUEST", "That code is not valid; check your app's clock", {
      field: "code",
    });
  if (!(await q.claimTotpStep(deps.db, userId, step)))
    throw new DomainError("BAD_REQUEST", "That code was already used; wait for the next one", {
      field: "code",
    });
}

async function limitAttempts(
  deps: Pick<AppDeps, "rateLimiter" | "auth">,
  userId: string,
  req: RequestMeta,
) {
  await enforceRateLimit(
    deps.rateLimiter,
    req,
    rateLimitKeys.secondFactorUser(userId),
    deps.auth.config.rateLimits.secondFactorPerUser,
    "Too many code attempts",
  );
}

// ---- recovery codes ----

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes);
    // 80 random bits as 16 base32 characters, in groups of four for reading aloud.
    return encodeBase32UpperCaseNoPadding(bytes).toLowerCase().match(/.{4}/g)!.join("-");
  });
}

/** Salted by the user id, so equal codes of two users never share a hash. Dashes, spaces
 * and case do not matter when typed. */
export function hashRecoveryCode(userId: string, code: string): string {
  const normalized = code.toLowerCase().replace(/[^a-z0-9]/g, "");
  return sha256Hex(`parley-recovery:${userId}:${normalized}`);
}

export async function regenerateRecoveryCodes(
  deps: Pick<AppDeps, "db">,
  userId: string,
): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await q.replaceRecoveryCodes(
    deps.db,
    userId,
    codes.map((c) => hashRecoveryCode(userId, c)),
  );
  return codes;
}
