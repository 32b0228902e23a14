import { signUp, type SignedIn } from "@parley/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logging";
import { startTestServer, type TestServer } from "./ops-helpers";

/**
 * A procedure that fails on something the server did not expect must tell the caller only
 * that it failed and which request id to report: the database's own words, table names and
 * file paths stay in the log. The failure here is real: the table a list reads is renamed
 * under the running server, as a half-applied migration would leave it.
 */
describe("unexpected errors over HTTP", () => {
  let t: TestServer;
  let alice: SignedIn;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(
      // The history cache would answer the list without reaching the database.
      { HISTORY_CACHE: "0" },
      {
        logger: createLogger({
          level: "error",
          destination: { write: (chunk: string) => void lines.push(...chunk.split("\n")) },
        }),
      },
    );
    alice = await signUp(t.base);
    await t.server.deps.db.prisma.$executeRawUnsafe(
      "ALTER TABLE conversations RENAME TO conversations_moved",
    );
  });
  afterAll(async () => {
    await t?.server.deps.db.prisma
      .$executeRawUnsafe("ALTER TABLE conversations_moved RENAME TO conversations")
      .catch(() => {});
    await t?.stop();
  });

  it("answers a generic 500 naming the request id, and logs the detail under that id", async () => {
    const response = await fetch(`${t.base}/trpc/chat.conversations.list`, {
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/\S{8,}/);
    const body = await response.text();
    const error = (JSON.parse(body) as { error: { json: { message: string; data: object } } }).error
      .json;
    expect(error.message).toBe(`Internal server error (request id ${requestId})`);
    expect(error.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", requestId });

    for (const leak of ['\\"conversations\\"', "relation", "does not exist", "stack", ".ts:"])
      expect(body).not.toContain(leak);

    const logged = lines
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find(
        (record) => record.reqId === requestId && record.procedure === "chat.conversations.list",
      );
    expect(logged, `no log line for request ${requestId}`).toBeDefined();
    expect(JSON.stringify(logged)).toMatch(/relation .*conversations.* does not exist/);
  });
});
