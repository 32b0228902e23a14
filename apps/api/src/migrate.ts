import { createDb, migrate } from "@parley/db";
import { EnvError, loadMigrationEnv } from "./env";
import { createLogger } from "./logging";

// The migration job of deploy/k8s: the same in-process migrations the server applies at
// start, run once before replicas started with MIGRATE_ON_START=0 accept traffic.
const logger = createLogger({ level: "info" });

async function main() {
  const env = loadMigrationEnv();
  const db = await createDb(env.DATABASE_URL, { poolSize: 1 });
  try {
    const applied = await migrate(db);
    logger.info(applied.length ? `applied migrations: ${applied.join(", ")}` : "schema is current");
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof EnvError) logger.fatal(error.message);
    else logger.fatal({ err: error }, "migration failed");
    process.exit(1);
  },
);
