// The real API (apps/api startServer, wired as main.ts does) plus the in-process stats the
// benchmark reads over IPC (see stats.ts). Bench-only: the product's entry point is
// apps/api/src/main.ts.
import { startServer } from "@parley/server";
import { loadEnv } from "@parley/server/env";
import { createLogger } from "@parley/server/logging";
import { serveStats } from "./stats";

serveStats();
const env = loadEnv();
// The bench runs at LOG_LEVEL=warn: the request-logging middleware runs but writes no line
// per request.
const logger = createLogger({ level: env.LOG_LEVEL });
const server = await startServer(env, (msg) => logger.info(msg), { logger });
console.log(`listening on http://localhost:${server.port}`);

const shutdown = () => {
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
// The bench went away without stopping us: do not linger.
process.once("disconnect", shutdown);
