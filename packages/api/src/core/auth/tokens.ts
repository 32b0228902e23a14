import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/**
 * Random secrets and their hashes, the way lucia-auth.com teaches: tokens carry 256 random
 * bits, the database keeps only their SHA-256, so a leaked table yields no usable token.
 */

const encoder = new TextEncoder();

function randomBase32(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

export function sha256Hex(value: string): string {
  return encodeHexLowerCase(sha256(encoder.encode(value)));
}

/** A session (refresh) token: 256 random bits, 52 base32 characters. */
export function generateSessionToken(): string {
  return randomBase32(32);
}

/** What the database stores for a token and looks it up by. */
export const hashToken = sha256Hex;

/**
 * The stable, public id of a session, derived from its first token. A distinct prefix keeps
 * it from ever equalling a token hash, so showing session ids never shows a lookup hash.
 */
export function sessionIdFromToken(firstToken: string): string {
  return sha256Hex(`parley-session-id:${firstToken}`);
}

/** Personal API keys start with this, so authentication tells them from JWTs (and secret
 * scanners can spot them). */
export const API_KEY_PREFIX = "parley_";

export function generateApiKey(): { secret: string; displayPrefix: string } {
  const secret = `${API_KEY_PREFIX}${randomBase32(32)}`;
  // Enough to recognise a key in a list, far too little to guess the rest (216 bits remain).
  return { secret, displayPrefix: secret.slice(0, API_KEY_PREFIX.length + 8) };
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}
