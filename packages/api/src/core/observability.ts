import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { Context } from "./context";

export type ProcedureType = "query" | "mutation" | "subscription";

/** One finished procedure call, as the metrics see it. */
export interface ProcedureCall {
  /** The procedure's path in the router ("chat.send"): bounded, never a raw URL. */
  path: string;
  type: ProcedureType;
  /** Until the result was ready; for a subscription, until its stream was set up. */
  durationMs: number;
  /** The HTTP status the call maps to: 200, or its error's status (401, 429, 500, ...). */
  httpStatus: number;
  /** The tRPC error code when the call failed, else null. */
  errorCode: TRPC_ERROR_CODE_KEY | null;
}

/**
 * Told about every procedure call and every open subscription stream; the server turns
 * these into Prometheus metrics. It must not throw, and must be quick: it runs in the
 * request path.
 */
export interface ProcedureObserver {
  onCall(call: ProcedureCall): void;
  onStreamOpened(path: string): void;
  onStreamClosed(path: string): void;
}

// Errors already counted by the middleware, so the HTTP adapter's onError (which also sees
// errors raised before any procedure runs: unknown paths, bad JSON) counts each error once.
const observedErrors = new WeakSet<object>();

/** True when `error` was already reported through `ProcedureObserver.onCall`. */
export function wasObserved(error: unknown): boolean {
  return typeof error === "object" && error !== null && observedErrors.has(error);
}

type MiddlewareOutcome = { ok: true; data: unknown } | { ok: false; error: TRPCError };

/**
 * Called by the tRPC middleware after every call: reports it, notes the caller as an
 * active user, and wraps a subscription's stream so open streams are counted.
 * Returns the result to pass on (the same one, or one with the wrapped stream).
 */
export function reportProcedureCall<R extends MiddlewareOutcome>(
  ctx: Context,
  call: { path: string; type: ProcedureType; startedAt: number },
  result: R,
): R {
  const { activeUsers, procedureObserver: observer } = ctx.deps;
  // A lost active-user write only makes a gauge a little low; never fail a request for it.
  if (ctx.user && activeUsers) activeUsers.record(ctx.user.id).catch(() => {});
  if (!observer) return result;
  const durationMs = performance.now() - call.startedAt;
  if (!result.ok) {
    observedErrors.add(result.error);
    observer.onCall({
      path: call.path,
      type: call.type,
      durationMs,
      httpStatus: getHTTPStatusCodeFromError(result.error),
      errorCode: result.error.code,
    });
    return result;
  }
  observer.onCall({
    path: call.path,
    type: call.type,
    durationMs,
    httpStatus: 200,
    errorCode: null,
  });
  if (call.type === "subscription" && isAsyncIterable(result.data)) {
    return { ...result, data: countOpenStream(result.data, observer, call.path) };
  }
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** Passes every event through; the stream counts as open from the first read until it
 * ends, fails, or the client goes away (tRPC then calls return(), which runs `finally`). */
async function* countOpenStream<T>(
  source: AsyncIterable<T>,
  observer: ProcedureObserver,
  path: string,
): AsyncGenerator<T> {
  observer.onStreamOpened(path);
  try {
    yield* source;
  } finally {
    observer.onStreamClosed(path);
  }
}
