import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestContext, createRequestMeta } from "../src";
import { createAuthTestContext, type AuthTestContext, type Registered } from "./support";

describe("createRequestContext", () => {
  let c: AuthTestContext;
  let ada: Registered;
  beforeAll(async () => {
    // No Redis: a session is then checked in the database on every request.
    c = await createAuthTestContext({ redis: false });
    ada = await c.register("ada_context");
  });
  afterAll(() => c?.cleanup());

  const requestWith = (token: string) =>
    createRequestMeta({ headers: new Headers({ authorization: `Bearer ${token}` }) });

  it("resolves the caller of a live session", async () => {
    const ctx = await createRequestContext(c.deps, requestWith(ada.accessToken));
    expect(ctx.user).toMatchObject({ id: ada.id, role: ada.role });
  });

  it("answers 500, not 503, when the check fails for a reason other than the database being down", async () => {
    // A broken schema is a bug to fix, not an outage to wait out: a client told 503
    // would retry for ever.
    const other = await c.register("grace_context");
    await c.deps.db.withConnection((sql) =>
      sql.query("ALTER TABLE sessions RENAME TO sessions_away"),
    );
    try {
      const error = await createRequestContext(c.deps, requestWith(other.accessToken)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(error instanceof TRPCError && error.code === "SERVICE_UNAVAILABLE").toBe(false);
    } finally {
      await c.deps.db.withConnection((sql) =>
        sql.query("ALTER TABLE sessions_away RENAME TO sessions"),
      );
    }
  });
});
