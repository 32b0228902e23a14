import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { signAccessToken } from "@parley/api";
import {
  createScratchPostgres,
  missing,
  postgresUrl,
  startTcpProxy,
  waitFor,
} from "@parley/testing";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env";
import { startServer, type RunningServer } from "../src/server";
import { callProcedure } from "./ops-helpers";

async function probe(base: string, route: "/readyz" | "/healthz") {
  const response = await fetch(`${base}${route}`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe("/readyz follows the database", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  async function start(
    vars: Record<string, string>,
  ): Promise<{ server: RunningServer; base: string }> {
    const dataDir = await mkdtemp(path.join(tmpdir(), "parley-readyz-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer(
      loadEnv({
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        WEB_DIST: path.join(dataDir, "none"),
        LOG_LEVEL: "silent",
        ...vars,
      }),
    );
    cleanups.push(() => server.close());
    return { server, base: `http://127.0.0.1:${server.port}` };
  }

  it.skipIf(missing("postgres"))(
    "Postgres: 503 while the network to the database is cut, the process keeps serving, then it recovers",
    async () => {
      const scratch = await createScratchPostgres(postgresUrl()!);
      cleanups.push(() => scratch.drop());
      const target = new URL(scratch.url);
      // A proxy between the API and Postgres that the test can cut, as a network partition would.
      const proxy = await startTcpProxy({
        host: target.hostname,
        port: Number(target.port || 5432),
      });
      cleanups.push(() => proxy.close());
      const viaProxy = new URL(scratch.url);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      const { base } = await start({ DATABASE_URL: viaProxy.toString() });

      expect(await probe(base, "/readyz")).toMatchObject({
        status: 200,
        body: { status: "ok", database: "ok" },
      });
      await proxy.cut();
      expect(await probe(base, "/readyz")).toEqual({
        status: 503,
        body: { status: "unavailable", database: "unreachable" },
      });
      expect((await probe(base, "/healthz")).status).toBe(200);

      await proxy.restore();
      await waitFor(
        "/readyz to answer 200 again",
        async () => (await probe(base, "/readyz")).status === 200,
      );
    },
  );

  it("PGlite: 503 once the embedded database is closed, and the process keeps serving", async () => {
    const { server, base } = await start({});
    expect(server.deps.db.kind).toBe("pglite");
    expect((await probe(base, "/readyz")).status).toBe(200);
    await server.deps.db.close();
    expect(await probe(base, "/readyz")).toEqual({
      status: 503,
      body: { status: "unavailable", database: "unreachable" },
    });
    expect((await probe(base, "/healthz")).status).toBe(200);

    // A signed-in request whose session is not cached must be checked in the database: it
    // gets 503 (not a crash, and not UNAUTHORIZED, which would sign the user out).
    const { token } = await signAccessToken(server.deps.auth.config, {
      userId: randomUUID(),
      sessionId: "a".repeat(64),
      role: "user",
    });
    const me = await callProcedure(base, "auth.me", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect({ status: me.status, code: me.errorCode }).toEqual({
      status: 503,
      code: "SERVICE_UNAVAILABLE",
    });
    expect((await probe(base, "/healthz")).status).toBe(200);
    // Boots PGlite (WebAssembly Postgres) and migrates it: slow on a busy CI runner.
  }, 120_000);
});
