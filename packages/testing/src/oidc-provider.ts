import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export interface OidcTestAccount {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  preferredUsername?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next sign-in logs in as (the provider's login page is skipped). */
  signInAs(account: OidcTestAccount): void;
  /** Authorization codes the provider has redeemed so far. */
  consumedCodes(): number;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`, the certified implementation) on a loopback port.
 * Only its interaction step is scripted: instead of a login form it signs in as the account
 * chosen with `signInAs` and grants the requested scopes. Everything else (authorization
 * endpoint, PKCE, token endpoint, ID token signing, userinfo, single-use codes) is the
 * library's own.
 */
export async function startTestOidcProvider(options: {
  /** Read on the first request, so the app (whose port decides its callback URL) can be
   * started after the provider it is configured with. */
  redirectUris: () => string[];
}): Promise<TestOidcProvider> {
  const clientId = "parley-test";
  const clientSecret = "parley-test-client-secret-0123456789";
  let current: OidcTestAccount | null = null;
  const accounts = new Map<string, OidcTestAccount>();
  let consumed = 0;

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => (handler ??= createHandler())(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: "test" };

  function createHandler() {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: options.redirectUris(),
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      pkce: { required: () => true },
      jwks: { keys: [signingKey] },
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 600,
        IdToken: 600,
        Interaction: 600,
        Session: 600,
      },
      claims: {
        openid: ["sub"],
        email: ["email", "email_verified"],
        profile: ["preferred_username"],
      },
      cookies: { keys: ["parley-test-cookie-key-0123456789"] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            ...(account.email !== undefined ? { email: account.email } : {}),
            ...(account.emailVerified !== undefined
              ? { email_verified: account.emailVerified }
              : {}),
            ...(account.preferredUsername ? { preferred_username: account.preferredUsername } : {}),
          }),
        };
      },
    });
    provider.on("authorization_code.consumed", () => consumed++);

    const callback = provider.callback();
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith("/interaction/")) {
        void interact(req, res).catch((error: Error) => {
          res.statusCode = 500;
          res.end(error.message);
        });
        return;
      }
      void callback(req, res);
    };

    async function interact(req: IncomingMessage, res: ServerResponse) {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        if (!current) throw new Error("signInAs() was not called");
        accounts.set(current.sub, current);
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: current.sub } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session!.accountId,
        clientId: details.params.client_id as string,
      });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(account) {
      current = account;
      accounts.set(account.sub, account);
    },
    consumedCodes: () => consumed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
