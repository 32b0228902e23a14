import { randomBytes } from "node:crypto";
import { oidc as q, users } from "@parley/db";
import * as oidc from "openid-client";
import { recordAudit } from "../../core/audit";
import { clearCookie, readCookie, setCookie, setRefreshCookie } from "../../core/auth/cookies";
import { createAccount } from "../../core/auth/registration";
import { startSession } from "../../core/auth/sessions";
import type { AppDeps, RequestMeta } from "../../core/context";
import { openSecret, sealSecret } from "../../core/crypto";
import { toDomainError } from "../../core/errors";
import type { OidcClient } from "./client";

/** What this feature reads of AppDeps. */
export type OidcDeps = Pick<AppDeps, "db" | "auth" | "keyRing" | "oidc" | "sessionCache">;

/**
 * Sign-in with an OpenID provider: authorization code flow with PKCE (S256), state and
 * nonce. The flow's secrets travel in a cookie sealed by the key module, so any replica can
 * finish a sign-in another one started and nothing is stored server-side. The cookie is
 * spent by the callback whatever the outcome, and the provider refuses a code used twice.
 */

const FLOW_COOKIE = "parley_oidc";
const FLOW_PATH = "/auth/oidc";
const FLOW_TTL_SECONDS = 10 * 60;
const FLOW_CONTEXT = "oidc-flow";
export const OIDC_CALLBACK_PATH = `${FLOW_PATH}/callback`;

interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  invite: string | null;
  expiresAt: number;
}

/** Why a sign-in failed, for the sign-in screen (`/?sso_error=<code>`). */
export type OidcFailure =
  | "expired"
  | "provider"
  | "denied"
  | "registration_closed"
  | "email_unverified"
  | "email_in_use"
  | "disabled";

function requireClient(deps: OidcDeps): OidcClient {
  if (!deps.oidc) throw new Error("OIDC is not configured");
  return deps.oidc;
}

/** Starts a sign-in: remembers the flow in the sealed cookie and returns the provider URL
 * to redirect to. `requestUrl` is where the browser called us (for the default callback). */
export async function beginOidcSignIn(
  deps: OidcDeps,
  req: RequestMeta,
  options: { requestUrl: URL; invite?: string | null },
): Promise<URL> {
  const client = requireClient(deps);
  const config = await client.configuration();
  const flow: FlowState = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
    redirectUri:
      client.settings.redirectUri ?? new URL(OIDC_CALLBACK_PATH, options.requestUrl).toString(),
    invite: options.invite?.slice(0, 128) || null,
    expiresAt: Date.now() + FLOW_TTL_SECONDS * 1000,
  };
  const sealed = await sealSecret(deps.keyRing, JSON.stringify(flow), FLOW_CONTEXT);
  setCookie(req, FLOW_COOKIE, sealed, { path: FLOW_PATH, maxAgeSeconds: FLOW_TTL_SECONDS });
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: flow.redirectUri,
    scope: "openid email profile",
    response_type: "code",
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
}

async function readFlow(deps: OidcDeps, req: RequestMeta): Promise<FlowState | null> {
  const sealed = readCookie(req, FLOW_COOKIE);
  if (!sealed) return null;
  try {
    const flow = JSON.parse(await openSecret(deps.keyRing, sealed, FLOW_CONTEXT)) as FlowState;
    return flow.expiresAt > Date.now() ? flow : null;
  } catch {
    return null;
  }
}

export type OidcOutcome = { ok: true } | { ok: false; failure: OidcFailure };

/**
 * Finishes a sign-in at the callback: checks state, exchanges the code with the PKCE
 * verifier, validates the ID token (issuer, audience, nonce, signature), then finds or
 * creates the user and starts a session (the refresh cookie, as after a password sign-in).
 */
export async function completeOidcSignIn(
  deps: OidcDeps,
  req: RequestMeta,
  callbackUrl: URL,
  log: (message: string) => void = () => {},
): Promise<OidcOutcome> {
  const client = requireClient(deps);
  const flow = await readFlow(deps, req);
  clearCookie(req, FLOW_COOKIE, { path: FLOW_PATH });
  if (!flow) return { ok: false, failure: "expired" };
  if (callbackUrl.searchParams.get("error") === "access_denied")
    return { ok: false, failure: "denied" };

  let claims: { sub: string; email: string | null; emailVerified: boolean; name: string | null };
  try {
    const config = await client.configuration();
    // The URL the provider redirected to, as registered: not the Host we were reached by.
    const current = new URL(flow.redirectUri);
    current.search = callbackUrl.search;
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) return { ok: false, failure: "provider" };
    const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    const email = typeof info.email === "string" ? info.email.trim().toLowerCase() : null;
    claims = {
      sub: idClaims.sub,
      email: email && email.length <= 255 ? email : null,
      emailVerified: info.email_verified === true,
      name:
        (typeof info.preferred_username === "string" && info.preferred_username) ||
        (typeof info.name === "string" && info.name) ||
        null,
    };
  } catch (error) {
    log(`oidc: sign-in refused: ${(error as Error).message}`);
    return { ok: false, failure: "provider" };
  }

  const issuer = client.settings.issuer;
  const linked = await findOrCreateUser(deps, req, issuer, claims, flow.invite);
  if (!linked.ok) return linked;
  const user = await users.findUserById(deps.db, linked.userId);
  if (!user || user.disabledAt) {
    await recordAudit(deps, req, {
      action: "sign_in.failed",
      userId: linked.userId,
      actorId: null,
      details: { method: "oidc", reason: "disabled" },
    });
    return { ok: false, failure: "disabled" };
  }
  const tokens = await startSession(deps, user, req);
  if (tokens.refreshToken)
    setRefreshCookie(req, tokens.refreshToken, deps.auth.config.sessionTtlSeconds);
  await recordAudit(deps, req, {
    action: "sign_in.ok",
    userId: user.id,
    actorId: user.id,
    details: { method: "oidc", sessionId: tokens.sessionId },
  });
  return { ok: true };
}

async function findOrCreateUser(
  deps: OidcDeps,
  req: RequestMeta,
  issuer: string,
  claims: { sub: string; email: string | null; emailVerified: boolean; name: string | null },
  invite: string | null,
): Promise<{ ok: true; userId: string } | { ok: false; failure: OidcFailure }> {
  const identity = { issuer, subject: claims.sub, email: claims.email };
  const known = await q.findOidcIdentity(deps.db, issuer, claims.sub);
  if (known) {
    await q.touchOidcIdentity(deps.db, { userId: known.userId, ...identity });
    return { ok: true, userId: known.userId };
  }

  // An unverified address proves nothing: never link by it, never take it as an account's.
  if (!claims.email || !claims.emailVerified) return { ok: false, failure: "email_unverified" };
  const existing = await users.findUserByEmail(deps.db, claims.email);
  if (existing) {
    if (!deps.oidc?.settings.linkByEmail) return { ok: false, failure: "email_in_use" };
    await link(deps, req, existing.id, identity, "email");
    return { ok: true, userId: existing.id };
  }

  try {
    const user = await createOidcAccount(deps, req, claims.email, claims.name, invite);
    await link(deps, req, user.id, identity, "new_account");
    return { ok: true, userId: user.id };
  } catch (error) {
    const code = toDomainError(error)?.code;
    if (code === "FORBIDDEN") return { ok: false, failure: "registration_closed" };
    if (code === "CONFLICT") return { ok: false, failure: "email_in_use" };
    throw error;
  }
}

async function link(
  deps: OidcDeps,
  req: RequestMeta,
  userId: string,
  identity: { issuer: string; subject: string; email: string | null },
  how: "email" | "new_account",
) {
  await q.linkOidcIdentity(deps.db, { userId, ...identity });
  await recordAudit(deps, req, {
    action: "oidc.linked",
    userId,
    actorId: userId,
    details: { issuer: identity.issuer, subject: identity.subject, by: how },
  });
}

const USERNAME_ATTEMPTS = 5;

/** A new account for a provider user: a username from their profile (made unique), and a
 * random password nobody knows, so only single sign-on opens it until they set one. */
async function createOidcAccount(
  deps: OidcDeps,
  req: RequestMeta,
  email: string,
  name: string | null,
  invite: string | null,
) {
  const base = usernameFrom(name ?? email.split("@")[0] ?? "");
  const passwordHash = await deps.auth.passwords.hash(randomBytes(32).toString("base64url"));
  for (let attempt = 0; ; attempt++) {
    const username =
      attempt === 0 ? base : `${base.slice(0, 44)}-${randomBytes(2).toString("hex")}`;
    try {
      return await createAccount(
        deps,
        { username, email, passwordHash, inviteCode: invite ?? undefined },
        req,
        "oidc",
      );
    } catch (error) {
      const fields = (error as { fields?: string[] }).fields;
      if (!fields?.includes("username") || attempt >= USERNAME_ATTEMPTS) throw error;
    }
  }
}

function usernameFrom(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^_+|_+$/g, "");
  const name = cleaned.slice(0, 50);
  return name.length >= 3 ? name : `user_${name}`.slice(0, 50).padEnd(3, "0");
}
