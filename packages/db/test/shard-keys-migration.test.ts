import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createScratchPostgres, postgresUrl } from "@parley/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrate, migrationsDir, readMigrations, type Database } from "../src";

/**
 * The migration that keys every per-user table by user_id (for Citus, docs/scaling.md)
 * changes the keys of tables that already hold rows: an installation upgrading keeps every
 * conversation, message, attachment, session, rotated token and API key, and afterwards the
 * new keys hold (a row pointing at another user's row is refused).
 */
const SHARD_KEYS = "20261201170000_shard_keys";
const backend = postgresUrl() ? "Postgres" : "PGlite";

const alice = "0a000000-0000-4000-8000-000000000001";
const bob = "0b000000-0000-4000-8000-000000000002";
const conversation = "0c000000-0000-4000-8000-000000000003";
const question = "0d000000-0000-4000-8000-000000000004";
const answer = "0e000000-0000-4000-8000-000000000005";
const file = "0f000000-0000-4000-8000-000000000006";
const bobsConversation = "10000000-0000-4000-8000-000000000007";
const sessionId = "s".repeat(64);

let db: Database;
let cleanup: () => Promise<void>;
let before: string;

beforeAll(async () => {
  const base = postgresUrl();
  if (base) {
    const scratch = await createScratchPostgres(base);
    db = await createDb(scratch.url, { poolSize: 2 });
    cleanup = async () => {
      await db.close();
      await scratch.drop();
    };
  } else {
    db = await createDb("memory://");
    cleanup = () => db.close();
  }
  // The migrations before this one, in a directory of their own.
  before = await mkdtemp(path.join(tmpdir(), "parley-migrations-"));
  for (const m of await readMigrations()) {
    if (m.name >= SHARD_KEYS) break;
    await cp(path.join(migrationsDir, m.name), path.join(before, m.name), { recursive: true });
  }
  await migrate(db, before);
});

afterAll(async () => {
  await cleanup?.();
  if (before) await rm(before, { recursive: true, force: true });
});

const run = (sql: string, params: unknown[] = []) => db.sql.query(sql, params);

describe(`the shard-key migration on a database with rows (${backend})`, () => {
  it("keeps every row, gives rotated tokens their user, and enforces the new keys", async () => {
    for (const [id, name] of [
      [alice, "alice"],
      [bob, "bob"],
    ] as const)
      await run(
        `INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2::text, $2::text || '@x.test', 'h')`,
        [id, name],
      );
    await run(`INSERT INTO conversations (id, user_id, title) VALUES ($1, $2, 'Hello')`, [
      conversation,
      alice,
    ]);
    await run(
      `INSERT INTO messages (id, conversation_id, user_id, parent_id, depth, role, content)
       VALUES ($1, $2, $3, NULL, 0, 'user', 'hi'), ($4, $2, $3, $1, 1, 'assistant', 'hello')`,
      [question, conversation, alice, answer],
    );
    await run(
      `INSERT INTO files (id, user_id, name, mime_type, kind, size, storage_key, wrapped_key, key_id)
       VALUES ($1, $2, 'a.txt', 'text/plain', 'text', 1, 'k', 'w', 'v1')`,
      [file, alice],
    );
    await run(
      `INSERT INTO message_attachments (user_id, message_id, file_id, position) VALUES ($1, $2, $3, 0)`,
      [alice, question, file],
    );
    await run(
      `INSERT INTO sessions (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`,
      [sessionId, alice, "t".repeat(64)],
    );
    await run(`INSERT INTO rotated_tokens (token_hash, session_id) VALUES ($1, $2)`, [
      "r".repeat(64),
      sessionId,
    ]);
    await run(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash) VALUES (gen_random_uuid(), $1, 'k', 'parley_abcdefgh', $2)`,
      [alice, "a".repeat(64)],
    );

    // This one and every migration after it, in order.
    const later = (await readMigrations()).map((m) => m.name).filter((name) => name >= SHARD_KEYS);
    expect(await migrate(db)).toEqual(later);
    expect(later[0]).toBe(SHARD_KEYS);

    const count = async (table: string) =>
      Number((await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]!.n);
    expect(await count("conversations")).toBe(1);
    expect(await count("messages")).toBe(2);
    expect(await count("message_attachments")).toBe(1);
    expect(await count("sessions")).toBe(1);
    expect(await count("api_keys")).toBe(1);
    expect(await db.sql.query(`SELECT user_id::text, session_id FROM rotated_tokens`)).toEqual([
      { user_id: alice, session_id: sessionId },
    ]);

    // Bob's message cannot hang in Alice's conversation, nor under Alice's message, nor
    // carry Alice's file: every key between per-user tables now includes user_id.
    await expect(
      run(
        `INSERT INTO messages (id, conversation_id, user_id, depth, role) VALUES (gen_random_uuid(), $1, $2, 0, 'user')`,
        [conversation, bob],
      ),
    ).rejects.toThrow(/foreign key/);
    await run(`INSERT INTO conversations (id, user_id, title) VALUES ($1, $2, 'Mine')`, [
      bobsConversation,
      bob,
    ]);
    await expect(
      run(
        `INSERT INTO messages (id, conversation_id, user_id, parent_id, depth, role) VALUES (gen_random_uuid(), $1, $2, $3, 2, 'user')`,
        [bobsConversation, bob, answer],
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      run(
        `INSERT INTO message_attachments (user_id, message_id, file_id, position) VALUES ($1, $2, $3, 1)`,
        [bob, question, file],
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      run(`INSERT INTO rotated_tokens (user_id, token_hash, session_id) VALUES ($1, $2, $3)`, [
        bob,
        "q".repeat(64),
        sessionId,
      ]),
    ).rejects.toThrow(/foreign key/);

    // Deleting the conversation still removes its messages and their attachments.
    await run(`DELETE FROM conversations WHERE id = $1 AND user_id = $2`, [conversation, alice]);
    expect(await count("messages")).toBe(0);
    expect(await count("message_attachments")).toBe(0);
  });
});
