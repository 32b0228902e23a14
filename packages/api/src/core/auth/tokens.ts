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

/**
 * Credentials name their user: `<secret>.<user id, 32 hex digits>`. The lookup by hash then
 * filters by user_id, so on Citus (distributed by user_id, docs/scaling.md) it is routed to
 * the user's shard instead of asking every shard. The hash covers the whole credential, so
 * changing the user part only yields a hash nobody has.
 */
function namingUser(secret: string, userId: string): string {
  return `${secret}.${userId.replaceAll("-", "").toLowerCase()}`;
}

/** The user a credential names, or null for one that names none (an API key issued
 * before keys named their user, or anything malformed). */
export function userOfCredential(credential: string): string | null {
  const hex = /\.([0-9a-f]{32})$/.exec(credential)?.[1];
  if (!hex) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A session (refresh) token of `userId`: 256 random bits (52 base32 characters), then the
 * user. */
export function generateSessionToken(userId: string): string {
  return namingUser(randomBase32(32), userId);
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

/** A key of `userId`: the prefix, 256 random bits, then the user (see namingUser). */
export function generateApiKey(userId: string): { secret: string; displayPrefix: string } {
  const secret = namingUser(`${API_KEY_PREFIX}${randomBase32(32)}`, userId);
  // Enough to recognise a key in a list, far too little to guess the rest (216 bits remain).
  return { secret, displayPrefix: secret.slice(0, API_KEY_PREFIX.length + 8) };
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}
