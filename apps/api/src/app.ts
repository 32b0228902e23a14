import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import {
  appRouter,
  createRequestContext,
  NO_INDEX,
  shareExists,
  wasObserved,
  type AppDeps,
  type Context as TrpcContext,
  type RequestMeta,
} from "@parley/api";
import type { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import {
  createLogger,
  logProcedureError,
  noteRequestUser,
  requestIdOf,
  requestLogging,
  type Logger,
} from "./logging";
import { mountFileRoutes } from "./files-routes";
import { mountPortabilityRoutes } from "./portability-routes";
import { metricsHandler, type ServerMetrics } from "./metrics";
import { mountOidcRoutes } from "./oidc-routes";
import { mountOpenAIRoutes } from "./openai-routes";
import { requestMetaOf } from "./route-caller";
import { webAppHeaders } from "./web-headers";

export interface AppOptions {
  /** Folder holding the built web app; when absent, `/` explains how to build it. */
  webDist?: string;
  /** Reports optional dependencies (the Redis cache) for /readyz. */
  readinessChecks?: Record<string, () => Promise<"ok" | "degraded">>;
  /** Take the client address from X-Real-IP (set TRUST_PROXY=1 only behind nginx). */
  trustProxy?: boolean;
  /** Request and error logs (JSON lines); silent when absent. */
  logger?: Logger;
  /** Served at /metrics when given (see metrics.ts). */
  metrics?: ServerMetrics;
  /** When set, /metrics needs it as a Bearer token. */
  metricsToken?: string;
  /** Origins of other-origin clients (the desktop app's app://parley, a dev server) that may
   * call /trpc from a browser; CORS_ORIGINS. Same-origin web needs none. */
  corsOrigins?: string[];
  /** Largest history file POST /api/import takes (IMPORT_MAX_BYTES). */
  importMaxBytes?: number;
}

/** Bodies of signed-in calls: a batch of the largest inputs (a 32,000-character message,
 * every character escaped, plus a system prompt) fits with room to spare. */
export const TRPC_BODY_LIMIT_BYTES = 1024 * 1024;
/** Bodies of calls without a valid credential: login, registration, refresh are tiny. */
export const ANONYMOUS_BODY_LIMIT_BYTES = 16 * 1024;
/** Calls in one tRPC batch; the web app sends a handful at most. */
export const TRPC_MAX_BATCH_SIZE = 20;

type Env = {
  Variables: {
    responseHeaders: Headers;
    secure: boolean;
    /** The call's context, the caller resolved before the body is read (its size limit
     * depends on it). */
    context: Promise<TrpcContext>;
  };
};

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const app = new Hono<Env>();
  const logger = options.logger ?? createLogger({ level: "silent" });
  const trustProxy = options.trustProxy ?? false;
  app.use("*", requestLogging(logger));
  app.use("*", async (c, next) => {
    const secure = requestWasHttps(c, trustProxy);
    c.set("secure", secure);
    await next();
    // Every answer, errors and API responses included: never let a browser sniff a type.
    setHeader(c, "X-Content-Type-Options", "nosniff");
    // Only a request that really came over HTTPS may pin the browser to HTTPS: sent over
    // plain HTTP (a LAN address), HSTS would lock people out of their own server.
    if (secure) setHeader(c, "Strict-Transport-Security", HSTS);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    try {
      await deps.db.ping(2_000);
    } catch {
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
    const checks: Record<string, string> = { database: "ok" };
    for (const [name, check] of Object.entries(options.readinessChecks ?? {})) {
      checks[name] = await check().catch(() => "degraded" as const);
    }
    const degraded = Object.values(checks).includes("degraded");
    return c.json({ status: degraded ? "degraded" : "ok", ...checks });
  });

  if (options.metrics) app.get("/metrics", metricsHandler(options.metrics, options.metricsToken));

  if (options.corsOrigins?.length) {
    const allowListed = cors({
      // Only listed origins get Access-Control-Allow-Origin; others are refused by the browser.
      origin: options.corsOrigins,
      credentials: true,
      exposeHeaders: ["Retry-After"],
      maxAge: 600,
    });
    app.use("/trpc/*", allowListed);
    // The desktop app uploads and shows attachments from its own origin too.
    app.use("/api/files", allowListed);
    app.use("/api/files/*", allowListed);
    app.use("/api/import", allowListed);
    app.use("/api/export", allowListed);
  }

  // The limit is chosen before a byte of the body is read: a stranger cannot make the
  // process buffer a large body only to be refused afterwards.
  const signedInBodyLimit = bodyLimit({
    maxSize: TRPC_BODY_LIMIT_BYTES,
    onError: (ctx) => tooLarge(ctx, TRPC_BODY_LIMIT_BYTES),
  });
  const anonymousBodyLimit = bodyLimit({
    maxSize: ANONYMOUS_BODY_LIMIT_BYTES,
    onError: (ctx) => tooLarge(ctx, ANONYMOUS_BODY_LIMIT_BYTES),
  });
  app.use("/trpc/*", async (c, next) => {
    // Procedures add Set-Cookie or Retry-After here; they are copied onto the response.
    const responseHeaders = new Headers();
    c.set("responseHeaders", responseHeaders);
    const context = createRequestContext(deps, requestMeta(c, trustProxy));
    // A failure (database down) is reported by createContext as the call's error.
    context.catch(() => undefined);
    c.set("context", context);
    const signedIn = Boolean((await context.catch(() => null))?.user);
    const refused = await (signedIn ? signedInBodyLimit : anonymousBodyLimit)(c, next);
    if (refused instanceof Response) c.res = refused;
    responseHeaders.forEach((value, name) => c.res.headers.append(name, value));
  });
  // tRPC's fetch adapter called directly (what @hono/trpc-server does, less a context copy
  // per call), so the error log can name the request.
  const onError = (
    c: Context<Env>,
    { error, path, type, input }: { error: TRPCError; path?: string; type: string; input: unknown },
  ) => {
    // Calls that reached a procedure were counted by its middleware; count the rest.
    if (!wasObserved(error)) options.metrics?.procedureObserver.onUnobservedError(path, error.code);
    logProcedureError(logger, { error, path, type, input, reqId: requestIdOf(c) });
  };
  app.use("/trpc/*", (c) => {
    const method = c.req.method;
    return fetchRequestHandler({
      router: appRouter,
      endpoint: "/trpc",
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      // A body-limited request's body is read through Hono (which counts it), not the raw one.
      req: method === "GET" || method === "HEAD" ? c.req.raw : bodyThroughHono(c),
      onError: (event) => onError(c, event),
      createContext: async () => {
        const ctx = await c.get("context");
        noteRequestUser(c, ctx.user?.id);
        return ctx;
      },
    });
  });

  const files = new Hono();
  mountFileRoutes(files, deps, logger);
  mountPortabilityRoutes(files, deps, logger, { importMaxBytes: options.importMaxBytes });
  app.route("/", files);
  // Before the web app's fallback, which would answer unknown paths with its HTML.
  const openai = new Hono<Env>();
  mountOpenAIRoutes(openai as unknown as Hono, deps, {
    logger,
    clientIp: (c) => clientIp(c as Context<Env>, trustProxy),
    secure: (c) => (c as Context<Env>).get("secure"),
    ...(options.metrics ? { observer: options.metrics.v1Observer } : {}),
  });
  app.route("/", openai);
  mountOidcRoutes(app, deps, {
    clientIp: (c) => clientIp(c, trustProxy),
    secure: (c) => c.get("secure"),
    publicUrl: (c) => publicUrl(c, trustProxy),
    log: (message) => logger.warn(message),
  });

  mountWebApp(app, deps, options.webDist);
  return app;
}

const HSTS = "max-age=63072000; includeSubDomains";

function requestMeta(c: Context<Env>, trustProxy: boolean): RequestMeta {
  return requestMetaOf(c, {
    ip: clientIp(c, trustProxy),
    secure: c.get("secure"),
    responseHeaders: c.get("responseHeaders"),
  });
}

const BODY_READERS = new Set<string | symbol>(["arrayBuffer", "blob", "formData", "json", "text"]);

/** The request with its body read through Hono's request (as @hono/trpc-server does). */
function bodyThroughHono(c: Context<Env>): Request {
  const req = c.req as unknown as Record<string, () => unknown>;
  return new Proxy(c.req.raw, {
    get(target, property) {
      if (BODY_READERS.has(property)) return () => req[property as string]!();
      return Reflect.get(target, property, target) as unknown;
    },
  });
}

/** Whether the request reached us over HTTPS. This server speaks plain HTTP itself, so only
 * a trusted proxy's X-Forwarded-Proto can say so (a client could forge it otherwise). */
function requestWasHttps(c: Context<Env>, trustProxy: boolean): boolean {
  if (!trustProxy) return false;
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return proto === "https";
}

/** 413 in tRPC's error shape, so clients show the message like any other error. */
function tooLarge(c: Context<Env>, limit: number): Response {
  const message = `Request body too large (at most ${Math.round(limit / 1024)} KiB)`;
  // The rest of the body is never read: the connection cannot carry another request.
  c.header("Connection", "close");
  return c.json(
    {
      error: {
        json: { message, code: -32600, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } },
      },
    },
    413,
  );
}

function setHeader(c: Context<Env>, name: string, value: string) {
  try {
    c.res.headers.set(name, value);
  } catch {
    // Some responses (redirects, fetched ones) have immutable headers: copy, then set.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}

/** The caller's address: the socket peer, or nginx's X-Real-IP when behind a trusted proxy
 * (a client could otherwise forge the header to dodge per-IP rate limits). */
function clientIp(c: Context<Env>, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header("x-real-ip") : undefined;
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The URL the browser used: behind a trusted proxy that terminates TLS, its scheme. */
function publicUrl(c: Context<Env>, trustProxy: boolean): URL {
  const url = new URL(c.req.url);
  const proto = trustProxy ? c.req.header("x-forwarded-proto") : undefined;
  if (proto === "https" || proto === "http") url.protocol = `${proto}:`;
  return url;
}

function mountWebApp(app: Hono<Env>, deps: AppDeps, webDist: string | undefined) {
  const indexFile = webDist ? path.join(webDist, "index.html") : undefined;
  if (!webDist || !indexFile || !existsSync(indexFile)) {
    app.get("/", (c) =>
      c.text("Parley API is running. Build the web app with `npm run build -w @parley/web`.", 200),
    );
    return;
  }
  const indexHtml = readFileSync(indexFile, "utf8");
  app.use("/*", webAppHeaders());
  app.use("/*", serveStatic({ root: path.relative(process.cwd(), webDist) }));
  // A shared snapshot's page: the app shell, never indexed, and a real 404 for a revoked or
  // unknown link (the app then says so).
  const sharedPageHtml = indexHtml.replace(
    /<head>/i,
    `<head><meta name="robots" content="${NO_INDEX}" />`,
  );
  app.get("/s/:token", async (c) => {
    c.header("X-Robots-Tag", NO_INDEX);
    const live = await shareExists(deps, c.req.param("token")).catch(() => true);
    return c.html(sharedPageHtml, live ? 200 : 404);
  });
  // Client-side routes (/c/123, /settings) get the app shell.
  app.get("*", (c) => c.html(indexHtml));
}
