import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createScratchPostgres, eventually, missing, postgresUrl, repoRoot } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { startServer } from "../src/server";

const run = promisify(execFile);

// deploy/k8s runs migrations in a Job and starts replicas with MIGRATE_ON_START=0.
describe("the migration job and MIGRATE_ON_START=0", () => {
  it.skipIf(missing("postgres"))(
    "a replica waits for the job to migrate, then serves",
    async () => {
      const scratch = await createScratchPostgres(postgresUrl()!);
      const dataDir = await mkdtemp(path.join(tmpdir(), "parley-migrate-job-"));
      const lines: string[] = [];
      try {
        const starting = startServer(
          loadEnv({
            PORT: "0",
            HOST: "127.0.0.1",
            DATA_DIR: dataDir,
            WEB_DIST: path.join(dataDir, "none"),
            DATABASE_URL: scratch.url,
            MIGRATE_ON_START: "0",
          }),
          (line) => lines.push(line),
        );
        await eventually(async () =>
          lines.some((l) => l.startsWith("waiting for the migration job")) ? true : undefined,
        );

        const job = await run(process.execPath, ["--import", "tsx", "apps/api/src/migrate.ts"], {
          cwd: repoRoot,
          env: { ...process.env, DATABASE_URL: scratch.url },
        });
        expect(job.stdout).toContain("applied migrations: ");

        const server = await starting;
        try {
          const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
          expect(ready.status).toBe(200);
        } finally {
          await server.close();
        }
        const again = await run(process.execPath, ["--import", "tsx", "apps/api/src/migrate.ts"], {
          cwd: repoRoot,
          env: { ...process.env, DATABASE_URL: scratch.url },
        });
        expect(again.stdout).toContain("schema is current");
      } finally {
        await scratch.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    // Two extra Node processes (tsx compiles each) on a shared, loaded machine.
    120_000,
  );

  it("the job refuses to run without DATABASE_URL, with a clear message", async () => {
    const { DATABASE_URL: _omit, ...rest } = process.env;
    const failed = await run(process.execPath, ["--import", "tsx", "apps/api/src/migrate.ts"], {
      cwd: repoRoot,
      env: rest,
    }).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain("DATABASE_URL: required");
  }, 60_000);
});
