import { statSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { users } from "@parley/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { startServer } from "../src/server";

// The embedded default: no DATABASE_URL, no REDIS_URL, everything in DATA_DIR.
let dataDir: string;
let webDist: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "parley-embedded-"));
  webDist = path.join(dataDir, "web");
  await mkdir(webDist);
  await writeFile(
    path.join(webDist, "index.html"),
    "<!doctype html><title>Parley</title><div id=root></div>",
  );
  await writeFile(path.join(webDist, "app.js"), "console.log('parley')");
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const embeddedEnv = () =>
  loadEnv({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    WEB_DIST: webDist,
    LOG_LEVEL: "silent",
  });

// Each start boots PGlite (WebAssembly Postgres) and migrates a fresh directory: seconds
// alone, more on a busy two-core CI runner.
describe("the embedded default (PGlite in DATA_DIR)", { timeout: 120_000 }, () => {
  it("answers /healthz, serves the web app at / with a fallback for client routes", async () => {
    const server = await startServer(embeddedEnv());
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>Parley</title>");
      expect(await (await fetch(`${base}/app.js`)).text()).toContain("parley");
      expect(await (await fetch(`${base}/c/some-conversation`)).text()).toContain("<div id=root>");
      expect(server.deps.db.kind).toBe("pglite");
    } finally {
      await server.close();
    }
  });

  it("keeps data across a stop and a start, with the same generated JWT secret", async () => {
    const first = embeddedEnv();
    const server = await startServer(first);
    await users.createUser(server.deps.db, {
      username: "keeper",
      email: "keeper@example.com",
      passwordHash: "h",
    });
    await server.close();

    const second = embeddedEnv();
    expect(second.JWT_SECRET).toBe(first.JWT_SECRET);
    expect(second.ENCRYPTION_KEY).toBe(first.ENCRYPTION_KEY);
    for (const file of ["jwt-secret", "encryption-key"]) {
      expect((statSync(path.join(first.DATA_DIR, file)).mode & 0o777).toString(8), file).toBe(
        "600",
      );
    }
    const again = await startServer(second);
    try {
      const found = await again.deps.db.prisma.user.findUnique({
        where: { username: "keeper" },
        select: { email: true },
      });
      expect(found).toEqual({ email: "keeper@example.com" });
    } finally {
      await again.close();
    }
  });
});

describe("configuration", () => {
  it.each([
    [{ PORT: "seventy" }, "PORT"],
    [{ DATABASE_URL: "mysql://localhost/x" }, "DATABASE_URL"],
    [{ REDIS_URL: "not a url" }, "REDIS_URL"],
    [{ JWT_SECRET: "short" }, "JWT_SECRET"],
    [{ NODE_ENV: "production", DATA_DIR: "/tmp/unused" }, "JWT_SECRET: required in production"],
    [
      { NODE_ENV: "production", JWT_SECRET: "x".repeat(8) + "-production-secret-0123456789abcdef" },
      "ENCRYPTION_KEY: required in production",
    ],
    [
      { ENCRYPTION_KEY: Buffer.alloc(32).toString("base64") },
      "ENCRYPTION_KEY: must be 32 random bytes",
    ],
    [{ ENCRYPTION_KEY: Buffer.alloc(16, 7).toString("base64") }, "ENCRYPTION_KEY"],
    [{ ENCRYPTION_KEY_PREVIOUS: "short" }, "ENCRYPTION_KEY_PREVIOUS"],
  ])("refuses %o with a message naming %s", (vars, expected) => {
    expect(() => loadEnv({ DATA_DIR: dataDir, ...vars })).toThrow(expected);
  });
});
