import {
  freePort,
  missing,
  missingServerBinaries,
  postgresUrl,
  startPrivatePostgres,
} from "@parley/testing";
import { describe, expect, it } from "vitest";
import { createDb, isDatabaseUnavailable, rethrowUnique, users } from "../src";

describe("isDatabaseUnavailable", () => {
  it("recognises a Postgres nobody listens on, through Prisma and through raw SQL", async () => {
    const db = await createDb(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`);
    try {
      const viaPrisma = await db.prisma.user.findFirst().catch((e: unknown) => e);
      const viaSql = await db
        .withConnection((sql) => sql.query("SELECT 1"))
        .catch((e: unknown) => e);
      expect(isDatabaseUnavailable(viaPrisma)).toBe(true);
      expect(isDatabaseUnavailable(viaSql)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("recognises an embedded PGlite database that was closed", async () => {
    const db = await createDb("memory://");
    await db.close();
    const error = await db.prisma.user.findFirst().catch((e: unknown) => e);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.skipIf(missingServerBinaries())(
    "recognises a server that was stopped under an open pool",
    async () => {
      const server = await startPrivatePostgres();
      const db = await createDb(server.url, { poolSize: 2 });
      try {
        await db.ping();
        await server.stop();
        const error = await db.prisma.user.findFirst().catch((e: unknown) => e);
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await db.close();
        await server.destroy();
      }
    },
  );

  it.skipIf(missing("postgres"))(
    "treats a transaction that finds no free connection in time as unavailable",
    async () => {
      const db = await createDb(postgresUrl()!, { poolSize: 1 });
      try {
        const error = await db.withConnection(() =>
          db.prisma
            .$transaction(async (tx) => tx.user.count(), { maxWait: 200 })
            .catch((e: unknown) => e),
        );
        expect(error).toBeInstanceOf(Error);
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await db.close();
      }
    },
  );

  it.skipIf(missing("postgres"))("does not mistake a query error for an outage", async () => {
    const db = await createDb(postgresUrl()!);
    try {
      const badSql = await db
        .withConnection((sql) => sql.query("SELECT * FROM no_such_table"))
        .catch((e: unknown) => e);
      expect(badSql).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(badSql)).toBe(false);
      const tooLong = await rethrowUnique(
        users.createUser(db, { username: "x".repeat(80), email: "a@b.c", passwordHash: "h" }),
      ).catch((e: unknown) => e);
      expect(tooLong).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(tooLong)).toBe(false);
    } finally {
      await db.close();
    }
  });
});
