import { EnvError, loadEnv } from "./env";
import { createLogger } from "./logging";
import { startServer } from "./server";

// Until the environment is read (LOG_LEVEL may be wrong), log at info.
let logger = createLogger({ level: "info" });

async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      logger.fatal(error.message);
      process.exit(1);
    }
    throw error;
  }
  logger = createLogger({ level: env.LOG_LEVEL });
  const log = (msg: string) => logger.info(msg);
  const server = await startServer(env, log, { logger });
  const where = env.DATABASE_URL ? "PostgreSQL" : `embedded PGlite in ${env.pgliteDir}`;
  // Always printed, whatever LOG_LEVEL says: scripts and tests wait for this line.
  const announce = logger.child({}, { level: "info" });
  announce.info(`listening on http://localhost:${server.port} (database: ${where})`);

  const shutdown = (signal: string) => {
    log(`${signal} received, shutting down`);
    // A second signal, or a drain that hangs, must still end the process.
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
