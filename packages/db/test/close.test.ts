import { backendName, createTestDatabase } from "@parley/testing";
import { describe, expect, it } from "vitest";
import { users } from "../src";

describe(`closing the database on ${backendName()}`, () => {
  // A fire-and-forget write (a session's last-used touch) may be in flight when the server
  // shuts down. Closing lets a begun write finish and refuses one not begun; it used to hang
  // forever on the connection a write held when Prisma was disconnected between its BEGIN
  // and COMMIT. The delays put the close before, at and after the write's BEGIN.
  it("settles a Prisma write in flight and ends", { timeout: 30_000 }, async () => {
    for (const delayMs of [-1, 0, 1, 2, 3]) {
      const t = await createTestDatabase();
      const user = await users.createUser(t.db, {
        username: "closing",
        email: "closing@example.com",
        passwordHash: "argon2id-hash-placeholder",
      });
      // Prisma sends a query at then(), not before.
      const write = t.db.prisma.user
        .updateMany({ where: { id: user.id }, data: { username: "closed" } })
        .then((result) => result);
      await new Promise((resolve) =>
        delayMs < 0 ? setImmediate(resolve) : setTimeout(resolve, delayMs),
      );
      const [closed, written] = await Promise.allSettled([t.cleanup(), write]);
      expect(closed.status).toBe("fulfilled");
      if (written.status === "fulfilled") expect(written.value).toEqual({ count: 1 });
      else expect(String(written.reason)).toMatch(/pool after calling end|PGlite is clos(ed|ing)/);
    }
  });
});
