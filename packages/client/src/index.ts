import type { AppRouter } from "@parley/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

export type { AppRouter };
export { TRPCClientError } from "@trpc/client";

/** A credential, or a function returning the current one (e.g. after a token refresh). */
export type Credential = string | (() => string | null | undefined);

export interface ParleyClientOptions {
  /** The server's base URL, e.g. http://localhost:3000 (the client adds /trpc). */
  url: string;
  /** A JWT access token (from auth.login / auth.register / auth.refresh). */
  token?: Credential;
  /** A personal API key (from auth.apiKeys.create); used when no token is given. */
  apiKey?: Credential;
  /** Extra headers for every request (e.g. a User-Agent naming your tool). */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (a proxy agent, a recorder in tests). */
  fetch?: typeof fetch;
}

export type ParleyClient = TRPCClient<AppRouter>;

function resolve(credential: Credential | undefined): string | null {
  if (!credential) return null;
  return (typeof credential === "function" ? credential() : credential) ?? null;
}

/**
 * A typed client for the Parley API that works in a plain Node 20 script: queries and
 * mutations go through batched HTTP, subscriptions through Server-Sent Events (with the
 * `eventsource` package, since Node 20 has no global EventSource).
 */
export function createParleyClient(options: ParleyClientOptions): ParleyClient {
  const endpoint = `${options.url.replace(/\/+$/, "")}/trpc`;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = (): Record<string, string> => {
    const bearer = resolve(options.token) ?? resolve(options.apiKey);
    return { ...options.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          EventSource,
          // EventSource cannot send headers itself; its fetch option can.
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetchImpl(input, { ...init, headers: { ...init.headers, ...headers() } }),
          }),
        }),
        false: httpBatchLink({ url: endpoint, transformer: superjson, headers, fetch: fetchImpl }),
      }),
    ],
  });
}

/** Options of the clients signUp and signIn create, besides the URL and credentials. */
export type ClientExtras = Pick<ParleyClientOptions, "headers" | "fetch">;

type AuthPayload = Awaited<ReturnType<ParleyClient["auth"]["login"]["mutate"]>>;

export interface SignedIn {
  /** A client authenticated with the access token. */
  client: ParleyClient;
  user: AuthPayload["user"];
  accessToken: string;
  refreshToken: string;
  password: string;
}

/**
 * For tests and scripts: registers a new account (random name unless given) on a running
 * server and returns a client signed in as it. Starts nothing.
 */
export async function signUp(
  url: string,
  account: { username?: string; email?: string; password?: string } = {},
  options: ClientExtras = {},
): Promise<SignedIn> {
  const suffix = Math.random().toString(36).slice(2, 10);
  const username = account.username ?? `user_${suffix}`;
  const input = {
    username,
    email: account.email ?? `${username}@example.test`,
    password: account.password ?? `pw-${suffix}-${suffix}`,
    refreshTokenInBody: true,
  };
  const result = await createParleyClient({ ...options, url }).auth.register.mutate(input);
  return signedIn(url, result, input.password, options);
}

/** For tests and scripts: signs in to an existing account (username or email). */
export async function signIn(
  url: string,
  credentials: { login: string; password: string },
  options: ClientExtras = {},
): Promise<SignedIn> {
  const result = await createParleyClient({ ...options, url }).auth.login.mutate({
    ...credentials,
    refreshTokenInBody: true,
  });
  return signedIn(url, result, credentials.password, options);
}

function signedIn(
  url: string,
  result: AuthPayload,
  password: string,
  options: ClientExtras,
): SignedIn {
  if (!result.refreshToken) throw new Error("server did not return a refresh token");
  return {
    client: createParleyClient({ ...options, url, token: result.accessToken }),
    user: result.user,
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    password,
  };
}
