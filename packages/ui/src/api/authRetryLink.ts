import { TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { errorCode } from "./errors";

/** Procedures whose UNAUTHORIZED means "wrong credentials", not "token expired". */
const CREDENTIAL_PROCEDURES = new Set([
  "auth.login",
  "auth.register",
  "auth.refresh",
  "auth.logout",
  "auth.twoFactor.verify",
  "auth.twoFactor.setupBegin",
  "auth.twoFactor.setupConfirm",
]);

export interface TokenRefresher {
  /** Gets a new access token; false when the session is gone. Concurrent calls share one request. */
  refresh(): Promise<boolean>;
  /** The session cannot be recovered: back to the sign-in screen. */
  expire(): void;
}

/**
 * On UNAUTHORIZED: refresh the access token once and repeat the call; if the refresh fails,
 * or the repeated call is refused again, sign out. A subscription is repeated from the last
 * event it delivered, so a resumed stream has no duplicates.
 */
export function authRetryLink<TRouter extends AnyRouter>(
  refresher: TokenRefresher,
): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | null = null;
        let closed = false;
        let lastEventId: string | undefined;
        let refreshed = false;

        const attempt = (input: unknown) => {
          current = next({ ...op, input }).subscribe({
            next(envelope) {
              const result = envelope.result as { id?: unknown };
              if (op.type === "subscription" && typeof result.id === "string")
                lastEventId = result.id;
              observer.next(envelope);
            },
            error(error) {
              if (closed) return;
              if (errorCode(error) !== "UNAUTHORIZED" || CREDENTIAL_PROCEDURES.has(op.path)) {
                observer.error(error);
                return;
              }
              if (refreshed) {
                refresher.expire();
                observer.error(error);
                return;
              }
              refreshed = true;
              refresher.refresh().then(
                (ok) => {
                  if (closed) return;
                  if (!ok) {
                    refresher.expire();
                    observer.error(error);
                    return;
                  }
                  const retryInput =
                    lastEventId !== undefined && isObject(op.input)
                      ? { ...op.input, lastEventId }
                      : op.input;
                  attempt(retryInput);
                },
                (refreshError: unknown) =>
                  observer.error(TRPCClientError.from(refreshError as Error)),
              );
            },
            complete() {
              observer.complete();
            },
          });
        };

        attempt(op.input);
        return () => {
          closed = true;
          current?.unsubscribe();
        };
      });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
