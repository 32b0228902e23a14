import {
  createTRPCClient,
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCLink,
} from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import type { AppRouter } from "@parley/api";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { authRetryLink, type TokenRefresher } from "./authRetryLink";
import { connectionLink, type ConnectionMonitor } from "./connection";

/** The typed React hooks for every procedure (`trpc.chat.send.useMutation()` …). */
export const trpc = createTRPCReact<AppRouter>();

export interface LinkOptions {
  /** Base URL of the API, "" for same origin. */
  apiBaseUrl: string;
  getAccessToken(): string | null;
  refresher: TokenRefresher;
  /** Told about every call's outcome, to show the connection banner. */
  monitor?: Pick<ConnectionMonitor, "reportFailure" | "reportSuccess">;
}

export function trpcUrl(apiBaseUrl: string): string {
  return `${apiBaseUrl.replace(/\/+$/, "")}/trpc`;
}

/**
 * Procedures that set or clear the refresh cookie. Set-Cookie cannot ride on a streamed
 * batch response, so these go through a plain, one-request-per-call httpLink.
 */
const COOKIE_PROCEDURES = new Set([
  "auth.register",
  "auth.login",
  "auth.refresh",
  "auth.logout",
  "auth.twoFactor.verify",
  "auth.twoFactor.setupConfirm",
  "auth.sessions.revoke",
  "user.delete",
]);

export function usesCookieLink(path: string): boolean {
  return COOKIE_PROCEDURES.has(path);
}

function authHeaders(getAccessToken: () => string | null): Record<string, string> {
  const token = getAccessToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * splitLink: subscriptions over SSE (resuming with the last event id), cookie-setting auth
 * calls over httpLink, everything else batched over httpBatchStreamLink. The whole chain
 * sits behind the refresh-once-on-UNAUTHORIZED link.
 */
export function createLinks(options: LinkOptions): TRPCLink<AppRouter>[] {
  const url = trpcUrl(options.apiBaseUrl);
  const headers = () => authHeaders(options.getAccessToken);
  return [
    authRetryLink<AppRouter>(options.refresher),
    ...(options.monitor ? [connectionLink<AppRouter>(options.monitor)] : []),
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({
        url,
        transformer: superjson,
        // Browsers' EventSource cannot send headers; this one takes a fetch that adds the
        // current access token on every (re)connection.
        EventSource,
        eventSourceOptions: () => ({
          fetch: (input: string | URL | Request, init?: RequestInit) =>
            fetch(input, {
              ...init,
              headers: { ...(init?.headers as Record<string, string>), ...headers() },
            }),
        }),
      }),
      false: splitLink({
        condition: (op) => usesCookieLink(op.path),
        true: httpLink({ url, transformer: superjson, headers, fetch: withCredentials }),
        false: httpBatchStreamLink({ url, transformer: superjson, headers, maxItems: 10 }),
      }),
    }),
  ];
}

/** Cookie calls must carry credentials even when the API sits on another origin (desktop). */
const withCredentials = (input: RequestInfo | URL, init?: RequestInit) =>
  fetch(input, { ...init, credentials: "include" });

/** A bare client for the refresh call itself: no retry link, or a failed refresh would recurse. */
export function createAuthClient(
  apiBaseUrl: string,
  getAccessToken: () => string | null,
  monitor?: LinkOptions["monitor"],
) {
  return createTRPCClient<AppRouter>({
    links: [
      ...(monitor ? [connectionLink<AppRouter>(monitor)] : []),
      httpLink({
        url: trpcUrl(apiBaseUrl),
        transformer: superjson,
        headers: () => authHeaders(getAccessToken),
        fetch: withCredentials,
      }),
    ],
  });
}
