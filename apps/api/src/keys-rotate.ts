import { createKeyRing, rotateKeys } from "@parley/api";
import { createDb, migrate } from "@parley/db";
import { EnvError, loadEnv } from "./env";
import { createLogger } from "./logging";

// `npm run keys:rotate`: after ENCRYPTION_KEY is replaced (the old one moved to
// ENCRYPTION_KEY_PREVIOUS), re-wraps every sealed secret and file data key under the new
// key, so the previous one can then be dropped.
const logger = createLogger({ level: "info" });

async function main() {
  const env = loadEnv();
  const db = await createDb(env.DATABASE_URL ?? env.pgliteDir, { poolSize: 1 });
  try {
    // The schema the server would migrate to at start, so the registry's columns exist.
    await migrate(db);
    const ring = createKeyRing({
      current: env.ENCRYPTION_KEY,
      previous: env.ENCRYPTION_KEY_PREVIOUS,
    });
    for (const report of await rotateKeys(db, ring))
      logger.info(report, `${report.column}: ${report.rewrapped} re-wrapped`);
    logger.info(`everything sealed is now under key ${ring.currentKeyId}`);
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof EnvError) logger.fatal(error.message);
    else logger.fatal({ err: error }, "key rotation failed");
    process.exit(1);
  },
);
