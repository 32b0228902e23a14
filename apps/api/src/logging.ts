import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { redactProcedureInput } from "@parley/api";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/** What the request's log line carries. Kept on the Hono context, not in an
 * AsyncLocalStorage: on Node 20 that installs promise hooks, which tax every promise of
 * every request (a few % of a small call's CPU). Lines about one request name its id
 * themselves (`reqId`), taken with requestIdOf(c). */
interface RequestScope {
  requestId: string;
  userId?: string;
}

const SCOPE = "parleyRequestScope";
const scopeOf = (c: Context): RequestScope | undefined =>
  (c as Context<{ Variables: { [SCOPE]?: RequestScope } }>).get(SCOPE);

const REDACTED = "[redacted]";

// Credentials in client input are redacted where the input schema marks them sensitive()
// (redactProcedureInput), never by guessing field names: `current` and `next` are passwords
// too. These paths are only a net for fields our own code logs directly.
const SECRET_FIELDS = ["password", "token", "accessToken", "refreshToken", "secret"];
const SECRET_HEADERS = [
  "authorization",
  "cookie",
  '"set-cookie"',
  '"x-api-key"',
  '"proxy-authorization"',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  ...SECRET_HEADERS.flatMap((header) => {
    const path = header.startsWith('"') ? `[${header}]` : `.${header}`;
    return [`headers${path}`, `*.headers${path}`];
  }),
];

// Bearer tokens and JWTs pasted into free text (a chat message, an error) are cut too.
const SECRET_TEXT =
  /\b(Bearer\s+)[\w~+/.=-]{8,}|\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+|\bparley_[A-Za-z0-9]{16,}(?:\.[0-9a-f]{32})?/g;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 5;

/**
 * A copy of a client-supplied value (already redacted by its schema) bounded for a log
 * line: token-looking text is cut, and long strings, big arrays and deep objects are
 * truncated, so a 100 kB chat message never lands in a log line.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    const cut = value.replace(
      SECRET_TEXT,
      (_match, bearer: string | undefined) => `${bearer ?? ""}${REDACTED}`,
    );
    return cut.length > MAX_STRING ? `${cut.slice(0, MAX_STRING)}…(${cut.length} chars)` : cut;
  }
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => scrubSecrets(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…(${value.length} items)`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = scrubSecrets(item, depth + 1);
  }
  return out;
}

/** JSON lines on stdout (or `destination`, for tests). */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "parley-api" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    options.destination,
  );
}

/** Accepts a caller's request id (from nginx or a tool) only if it is short and plain, so
 * nothing odd is echoed back or written to logs. */
export function acceptRequestId(value: string | undefined): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/** The id of the request `c` (set by requestLogging), for error answers and log lines
 * that name it. */
export function requestIdOf(c: Context): string {
  return scopeOf(c)?.requestId ?? "unknown";
}

/** Notes who is calling, for the request's log line. */
export function noteRequestUser(c: Context, userId: string | undefined): void {
  const scope = scopeOf(c);
  if (scope && userId) scope.userId = userId;
}

const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * One log line per request, and an `x-request-id` response header (the caller's own id
 * when well-formed, else a new one). The route is the path only: query strings (tRPC
 * inputs of GET calls) never reach the log. For a stream the duration is the time to the
 * response headers. Probes and scrapes log at debug level so they do not drown the rest.
 */
export function requestLogging(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const scope: RequestScope = {
      requestId: acceptRequestId(c.req.header("x-request-id")) ?? randomUUID(),
    };
    const startedAt = performance.now();
    c.set(SCOPE, scope);
    await next();
    setResponseHeader(c, "x-request-id", scope.requestId);
    const status = c.res.status;
    const path = c.req.path;
    const level = status >= 500 ? "error" : QUIET_ROUTES.has(path) ? "debug" : "info";
    // Below the configured level nothing is built: the line would only be thrown away.
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        reqId: scope.requestId,
        method: c.req.method,
        route: path.length > MAX_STRING ? `${path.slice(0, MAX_STRING)}…` : path,
        status,
        durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
        ...(scope.userId ? { userId: scope.userId } : {}),
      },
      "request",
    );
  };
}

function setResponseHeader(c: Parameters<MiddlewareHandler>[0], name: string, value: string) {
  try {
    c.res.headers.set(name, value);
  } catch {
    // Some responses (redirects, fetched ones) have immutable headers: copy, then set.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

/**
 * For tRPC's onError: a failure we did not expect (500) is logged as an error with its
 * cause; an expected one (bad input, unauthorized, not found) only at debug level. The
 * input is logged with every field its schema marks sensitive redacted, then bounded.
 */
export function logProcedureError(
  logger: Logger,
  event: {
    error: { code: string; message: string; cause?: unknown };
    path: string | undefined;
    type: string;
    input: unknown;
    /** The request's id (requestIdOf), so the line can be matched to the answer. */
    reqId?: string;
  },
): void {
  const fields = {
    ...(event.reqId ? { reqId: event.reqId } : {}),
    procedure: event.path && event.path.length <= 100 ? event.path : "unknown",
    type: event.type,
    code: event.error.code,
    input: scrubSecrets(redactProcedureInput(event.path, event.input)),
  };
  if (event.error.code === "INTERNAL_SERVER_ERROR") {
    logger.error({ ...fields, err: event.error.cause ?? event.error }, "procedure failed");
  } else if (logger.isLevelEnabled("debug")) {
    logger.debug({ ...fields, message: event.error.message }, "procedure error");
  }
}
