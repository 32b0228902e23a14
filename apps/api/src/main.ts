import { EnvError, loadEnv } from "./env";
import { startServer } from "./server";

async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = (msg: string) => console.log(`[parley] ${msg}`);
  const server = await startServer(env, log);
  const where = env.DATABASE_URL ? "PostgreSQL" : `embedded PGlite in ${env.pgliteDir}`;
  log(`listening on http://localhost:${server.port} (database: ${where})`);

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
  console.error("[parley] failed to start:", error);
  process.exit(1);
});
