import * as oidc from "openid-client";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE only). */
  clientSecret: string | null;
  /** Link a provider account to an existing user with the same email, when the provider
   * says the email is verified. */
  linkByEmail: boolean;
  /** The callback URL registered at the provider; by default derived from the request. */
  redirectUri: string | null;
  /** The sign-in button's text ("Sign in with {label}"). */
  label: string;
}

export interface OidcClient {
  settings: OidcSettings;
  label: string;
  /** The provider's metadata, discovered on first use and kept; a failed discovery is
   * retried on the next sign-in. */
  configuration(): Promise<oidc.Configuration>;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function createOidcClient(settings: OidcSettings): OidcClient {
  let discovered: Promise<oidc.Configuration> | null = null;
  return {
    settings,
    label: settings.label,
    configuration() {
      discovered ??= discover(settings).catch((error: unknown) => {
        discovered = null;
        throw error;
      });
      return discovered;
    },
  };
}

function discover(settings: OidcSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  // Plain HTTP only for a provider on this machine (development, tests); anything else must
  // be HTTPS, which openid-client enforces.
  const insecureOk = issuer.protocol === "http:" && LOOPBACK.has(issuer.hostname);
  return oidc.discovery(
    issuer,
    settings.clientId,
    settings.clientSecret ?? undefined,
    settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None(),
    { ...(insecureOk ? { execute: [oidc.allowInsecureRequests] } : {}), timeout: 10 },
  );
}
