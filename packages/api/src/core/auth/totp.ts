import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import QRCode from "qrcode";

/** RFC 6238 with the parameters every authenticator app supports. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted on either side of now, for clocks a little off and slow typing. */
const DRIFT_STEPS = 1;
const KEY_BYTES = 20;

export function generateTotpKey(): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  crypto.getRandomValues(key);
  return key;
}

export function totpUri(issuer: string, accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

export function currentStep(now = Date.now()): bigint {
  return BigInt(Math.floor(now / 1000 / TOTP_PERIOD_SECONDS));
}

/**
 * The time step a code belongs to, or null when it matches none near now. The caller then
 * claims the step, so a code (or an older one) is never accepted twice.
 */
export function matchTotpStep(key: Uint8Array, code: string, now = Date.now()): bigint | null {
  if (!/^\d{6}$/.test(code)) return null;
  const step = currentStep(now);
  // Newest first: a code valid for both a past and the current step claims the current one.
  for (let offset = DRIFT_STEPS; offset >= -DRIFT_STEPS; offset--) {
    const candidate = step + BigInt(offset);
    if (verifyHOTP(key, candidate, TOTP_DIGITS, code)) return candidate;
  }
  return null;
}

/** The enrolment QR code as an SVG data URL (the web app's CSP allows data: images). */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}
