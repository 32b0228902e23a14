import { initTRPC } from "@trpc/server";
// @trpc/server's index does not export a subscription's procedure type; declaration emit (tsc -b)
// names it through this entry, so it has to be in the program.
import type {} from "@trpc/server/unstable-core-do-not-import";
import { z } from "zod";
import type { Context } from "./context";
import { DomainError, toTRPCError } from "./errors";
import { describeIssues } from "./input";
import { reportProcedureCall } from "./observability";
import { transformer } from "./wire";

/** zod's flattened issues, keyed by input field: what a form shows beside each field. */
export interface FieldErrors {
  formErrors: string[];
  fieldErrors: Record<string, string[] | undefined>;
}

const t = initTRPC.context<Context>().create({
  transformer,
  // Proxies drop SSE connections that stay silent; a ping every 15 s keeps a reply stream
  // open while the model thinks, without sending data events.
  sse: { ping: { enabled: true, intervalMs: 15_000 } },
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause;
    const zodError: FieldErrors | null = cause instanceof z.ZodError ? z.flattenError(cause) : null;
    const details = cause instanceof DomainError && cause.details ? cause.details : null;
    if (error.code === "INTERNAL_SERVER_ERROR") {
      // Whatever went wrong (a Prisma message, a path, a stack) stays in the log, which
      // carries the same request id; the client gets only the id to report.
      const requestId = ctx?.req.requestId ?? null;
      return {
        ...shape,
        message: requestId
          ? `Internal server error (request id ${requestId})`
          : "Internal server error",
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          zodError: null,
          details: null,
          requestId,
        },
      };
    }
    return {
      ...shape,
      // zod's own message is a JSON dump of its issues; people get the first one, in words.
      ...(cause instanceof z.ZodError ? { message: describeIssues(cause) } : {}),
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        // Field-level validation errors, e.g. { fieldErrors: { email: ["Invalid email"] } }.
        zodError,
        details,
        requestId: null,
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every call, in one middleware (each tRPC middleware copies the call's options twice):
 * domain errors become TRPCErrors (unexpected ones stay a generic 500), and the call is
 * reported to the metrics with its final error code.
 */
const observe = t.middleware(async ({ ctx, path, type, next }) => {
  const startedAt = performance.now();
  const result = await next();
  if (!result.ok) {
    const converted = toTRPCError(result.error);
    if (converted) {
      // Every refusal that says when to come back (a rate limit, a busy hasher) says it in
      // the standard header too, which clients and proxies honour.
      const retryAfter = (converted.cause as DomainError).details?.retryAfterSeconds;
      if (retryAfter !== undefined && !ctx.req.responseHeaders.has("Retry-After")) {
        ctx.req.responseHeaders.set("Retry-After", String(retryAfter));
      }
      reportProcedureCall(ctx, { path, type, startedAt }, { ok: false, error: converted });
      throw converted;
    }
  }
  return reportProcedureCall(ctx, { path, type, startedAt }, result);
});

/** Every procedure starts here; the builders callers use are in procedures.ts. */
export const baseProcedure = t.procedure.use(observe);
