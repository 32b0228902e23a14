import { signUp } from "@parley/client";
import {
  makeCertificates,
  missingServerBinaries,
  startPrivatePostgres,
  startPrivateRedis,
} from "@parley/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./ops-helpers";

// Skips (with the reason) only where the binaries are missing; REQUIRE_SERVICES=1 fails.
const missing = missingServerBinaries();

describe.skipIf(missing)(
  `Postgres over TLS (sslmode=verify-full)${missing ? ` (${missing})` : ""}`,
  () => {
    const certs = makeCertificates(["localhost", "127.0.0.1"]);
    let postgres: Awaited<ReturnType<typeof startPrivatePostgres>>;
    let server: TestServer;
    let url: string;

    beforeAll(async () => {
      postgres = await startPrivatePostgres({ tls: certs });
      url = `postgres://postgres@localhost:${postgres.port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caFile)}`;
      server = await startTestServer({ DATABASE_URL: url });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await postgres?.destroy();
      certs.remove();
    });

    it("the app connects through TLS and serves requests", async () => {
      const ready = await fetch(`${server.base}/readyz`);
      expect(ready.status).toBe(200);
      const account = await signUp(server.base);
      expect((await account.client.auth.me.query()).id).toBe(account.user.id);
      // The server's connections are TLS ones (pg_stat_ssl), not plain ones beside them.
      const check = new pg.Client({ connectionString: url });
      await check.connect();
      const { rows } = await check.query<{ ssl: boolean; plain: string }>(
        `SELECT bool_and(s.ssl) AS ssl, count(*) FILTER (WHERE NOT s.ssl)::text AS plain
         FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
        WHERE a.datname = 'postgres' AND a.backend_type = 'client backend'`,
      );
      await check.end();
      expect(rows[0]).toEqual({ ssl: true, plain: "0" });
    });

    it("refuses a server whose certificate the CA did not sign", async () => {
      const other = makeCertificates(["localhost", "127.0.0.1"]);
      try {
        const client = new pg.Client({
          connectionString: `postgres://postgres@localhost:${postgres.port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(other.caFile)}`,
        });
        await expect(client.connect()).rejects.toThrow(/certificate/i);
      } finally {
        other.remove();
      }
    });
  },
);

describe.skipIf(missing)(`Redis over TLS (rediss://)${missing ? ` (${missing})` : ""}`, () => {
  const certs = makeCertificates(["localhost", "127.0.0.1"]);
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let server: TestServer;

  beforeAll(async () => {
    redis = await startPrivateRedis({ tls: certs });
    server = await startTestServer({ REDIS_URL: redis.url, REDIS_TLS_CA_FILE: certs.caFile });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await redis?.destroy();
    certs.remove();
  });

  it("the app connects through TLS and keeps its sessions there", async () => {
    expect(redis.url).toMatch(/^rediss:\/\//);
    const ready = (await (await fetch(`${server.base}/readyz`)).json()) as Record<string, string>;
    expect(Object.values(ready)).not.toContain("degraded");
    expect(server.server.deps.redis?.status).toBe("ready");
    const account = await signUp(server.base);
    expect((await account.client.auth.me.query()).id).toBe(account.user.id);
    // The session cache and limiter wrote their keys into the TLS-only Redis.
    expect((await server.server.deps.redis!.keys(`${server.keyPrefix}*`)).length).toBeGreaterThan(
      0,
    );
  });
});
