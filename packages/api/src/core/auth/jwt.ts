import { jwtVerify, SignJWT } from "jose";
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

/**
 * Verifies signature, algorithm (HS256 only: `none` and every other algorithm are refused),
 * issuer, audience and expiry. Returns null for any token that fails.
 */
export async function verifyAccessToken(
  config: AuthConfig,
  token: string,
): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, keyOf(config), {
      algorithms: ["HS256"],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const { sub, sid, role } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || (role !== "user" && role !== "admin"))
      return null;
    return { userId: sub, sessionId: sid, role };
  } catch {
    return null;
  }
}
