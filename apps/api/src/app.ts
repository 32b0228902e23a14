import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { trpcServer } from "@hono/trpc-server";
import { appRouter, createRequestContext, wasObserved, type AppDeps } from "@parley/api";
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import {
  createLogger,
  logProcedureError,
  noteRequestUser,
  requestLogging,
  type Logger,
} from "./logging";
import { mountFileRoutes } from "./files-routes";
import { metricsHandler, type ServerMetrics } from "./metrics";
import { mountOidcRoutes } from "./oidc-routes";
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
}

type Env = { Variables: { responseHeaders: Headers } };

export function createApp(deps: AppDeps, options: AppOptions = {}) {
  const app = new Hono<Env>();
  const logger = options.logger ?? createLogger({ level: "silent" });
  app.use("*", requestLogging(logger));

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
    app.use(
      "/trpc/*",
      cors({
        // Only listed origins get Access-Control-Allow-Origin; others are refused by the browser.
        origin: options.corsOrigins,
        credentials: true,
        exposeHeaders: ["Retry-After"],
        maxAge: 600,
      }),
    );
  }

  app.use("/trpc/*", async (c, next) => {
    // Procedures add Set-Cookie or Retry-After here; they are copied onto the response.
    const responseHeaders = new Headers();
    c.set("responseHeaders", responseHeaders);
    await next();
    responseHeaders.forEach((value, name) => c.res.headers.append(name, value));
  });
  app.use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      onError: ({ error, path, type, input }) => {
        // Calls that reached a procedure were counted by its middleware; count the rest.
        if (!wasObserved(error))
          options.metrics?.procedureObserver.onUnobservedError(path, error.code);
        logProcedureError(logger, { error, path, type, input });
      },
      createContext: async (_opts, c) => {
        const headers = c.req.raw.headers;
        const req = {
          ip: clientIp(c, options.trustProxy ?? false),
          userAgent: headers.get("user-agent"),
          headers,
          responseHeaders: c.get("responseHeaders"),
        };
        const ctx = await createRequestContext(deps, req);
        noteRequestUser(ctx.user?.id);
        return ctx;
      },
    }),
  );

  const files = new Hono();
  mountFileRoutes(files, deps, logger);
  app.route("/", files);
  const trustProxy = options.trustProxy ?? false;
  mountOidcRoutes(app, deps, {
    clientIp: (c) => clientIp(c, trustProxy),
    publicUrl: (c) => publicUrl(c, trustProxy),
    log: (message) => logger.warn(message),
  });

  mountWebApp(app, options.webDist);
  return app;
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

function mountWebApp(app: Hono<Env>, webDist: string | undefined) {
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
  // Client-side routes (/c/123, /settings) get the app shell.
  app.get("*", (c) => c.html(indexHtml));
}
