import { isDatabaseUnavailable } from "@parley/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Context } from "./context";
import { isDomainError } from "./errors";
import { reportProcedureCall } from "./observability";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Proxies drop SSE connections that stay silent; a ping every 15 s keeps a reply stream
  // open while the model thinks, without sending data events.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof z.ZodError ? z.flattenError(cause) : null;
    const details = isDomainError(cause) ? (cause.details ?? conflictDetails(cause.fields)) : null;
    return {
      ...shape,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        // Field-level validation errors, e.g. { fieldErrors: { email: ["Invalid email"] } }.
        zodError,
        details,
      },
    };
  },
});

/** A unique violation (from @parley/db) names its columns; clients read the first one as
 * `details.field` to put the message under the right input. */
function conflictDetails(fields: string[] | undefined) {
  return fields?.length ? { field: fields[0], fields } : null;
}

/** Turns domain errors into TRPCErrors and hides unexpected ones behind a generic 500. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isDomainError(cause)) {
      const message =
        cause.code === "CONFLICT" && cause.fields?.length
          ? `${cause.fields.join(", ")} already in use`
          : cause.message;
      throw new TRPCError({ code: cause.code, message, cause });
    }
    // Postgres down or restarting: a clear 503 the client may retry, not a generic 500.
    if (isDatabaseUnavailable(cause)) {
      throw new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: "The database is unavailable; try again in a moment",
        cause,
      });
    }
  }
  return result;
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Reports every call to the metrics (after mapErrors, so with its final error code). */
const observe = t.middleware(async ({ ctx, path, type, next }) => {
  const startedAt = performance.now();
  const result = await next();
  return reportProcedureCall(ctx, { path, type, startedAt }, result);
});

/** Every procedure starts here; the builders callers use are in procedures.ts. */
export const baseProcedure = t.procedure.use(observe).use(mapErrors);
