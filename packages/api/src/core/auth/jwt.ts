import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import type { AuthConfig } from "./config";

export interface AccessClaims {
  userId: string;
  sessionId: string;
  role: "user" | "admin";
}

const encoder = new TextEncoder();
const keys = new WeakMap<AuthConfig, Uint8Array>();
function keyOf(config: AuthConfig): Uint8Array {
  let key = keys.get(config);
  if (!key) keys.set(config, (key = encoder.encode(config.jwtSecret)));
  return key;
}

export async function signAccessToken(
  config: AuthConfig,
  claims: AccessClaims,
): Promise<{ token: string; expiresAt: Date }> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + config.accessTokenTtlSeconds;
  const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(keyOf(config));
  return { token, expiresAt: new Date(exp * 1000) };
}

const hmacKeys = new WeakMap<AuthConfig, KeyObject>();
function hmacKeyOf(config: AuthConfig): KeyObject {
  let key = hmacKeys.get(config);
  if (!key) hmacKeys.set(config, (key = createSecretKey(Buffer.from(config.jwtSecret, "utf8"))));
  return key;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Verifies signature, algorithm (HS256 only: `none` and every other algorithm are refused),
 * issuer, audience, expiry and not-before. Returns null for any token that fails.
 *
 * Runs on every request, so it is an HMAC through node:crypto (a few µs) rather than
 * jose's WebCrypto path (importKey and an async verify per call: the largest item of
 * auth.me's CPU profile). Tokens are still signed with jose; the checks are those jwtVerify
 * made with `algorithms: ["HS256"]`, issuer, audience and `requiredClaims: sub, exp, iat`.
 * Nothing here says whether the session is still live: the caller checks that on every
 * request (session cache, then Postgres).
 */
export function verifyAccessToken(config: AuthConfig, token: string): AccessClaims | null {
  // A client sends the same token on every call until it refreshes: a token verified once
  // is answered from memory until it expires (checked on every hit).
  const cache = verifiedOf(config);
  const hit = cache.get(token);
  if (hit) {
    if (hit.exp > Date.now() / 1000) return hit.claims;
    cache.delete(token);
    return null;
  }
  const verified = verifyUncached(config, token);
  if (verified) {
    if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(token, verified);
  }
  return verified?.claims ?? null;
}

/** Tokens verified lately, per config: at most this many (a few hundred bytes each). */
const VERIFIED_CACHE_SIZE = 10_000;
const verifiedTokens = new WeakMap<AuthConfig, Map<string, Verified>>();
type Verified = { claims: AccessClaims; exp: number };
function verifiedOf(config: AuthConfig): Map<string, Verified> {
  let cache = verifiedTokens.get(config);
  if (!cache) verifiedTokens.set(config, (cache = new Map()));
  return cache;
}

function verifyUncached(config: AuthConfig, token: string): Verified | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!BASE64URL.test(headerPart) || !BASE64URL.test(payloadPart) || !BASE64URL.test(signaturePart))
    return null;
  const header = decodeJson(headerPart);
  // Pinned: the header may not choose the algorithm, nor demand extensions we do not know.
  if (!header || header.alg !== "HS256" || header.crit !== undefined) return null;
  if (header.typ !== undefined && header.typ !== "JWT") return null;

  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== SIGNATURE_BYTES) return null;
  const expected = createHmac("sha256", hmacKeyOf(config))
    .update(`${headerPart}.${payloadPart}`)
    .digest();
  if (!timingSafeEqual(signature, expected)) return null;

  const payload = decodeJson(payloadPart);
  if (!payload) return null;
  const { sub, sid, role, iss, aud, exp, iat, nbf } = payload;
  const now = Math.floor(Date.now() / 1000);
  if (iss !== config.issuer) return null;
  if (Array.isArray(aud) ? !aud.includes(config.audience) : aud !== config.audience) return null;
  if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= now) return null;
  if (typeof iat !== "number" || !Number.isFinite(iat)) return null;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now)) return null;
  if (typeof sub !== "string" || typeof sid !== "string" || (role !== "user" && role !== "admin"))
    return null;
  return { claims: { userId: sub, sessionId: sid, role }, exp };
}
