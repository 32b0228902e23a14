import type { RawSql } from "@parley/db";

/**
 * Large data written straight into the API's database with generate_series: building
 * 100,000 messages through the API would take longer than the whole benchmark. Rows follow
 * packages/db/prisma/schema.prisma: a conversation's active branch is a chain of messages
 * (parent_id = previous message, depth 0..n-1, active = true), alternating user/assistant.
 */

export interface SeededUser {
  id: string;
  username: string;
  email: string;
  password: string;
}

export async function insertUser(
  sql: RawSql,
  username: string,
  password: string,
  passwordHash: string,
): Promise<SeededUser> {
  const email = `${username}@bench.parley.test`;
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO users (id, username, email, password_hash, role, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, $2, $3, 'user', now(), now()) RETURNING id`,
    [username, email, passwordHash],
  );
  return { id: row!.id, username, email, password };
}

/** `count` users named `${prefix}0..`, all with the same password hash (hashing each would
 * cost argon2's full time per user). */
export async function insertUsers(
  sql: RawSql,
  prefix: string,
  count: number,
  password: string,
  passwordHash: string,
): Promise<SeededUser[]> {
  const rows = await sql.query<{ id: string; username: string; email: string }>(
    `INSERT INTO users (id, username, email, password_hash, role, created_at, updated_at)
     SELECT gen_random_uuid(), $1 || i, $1 || i || '@bench.parley.test', $2, 'user', now(), now()
     FROM generate_series(0, $3::int - 1) AS i
     RETURNING id, username, email`,
    [prefix, passwordHash, count],
  );
  return rows.map((r) => ({ ...r, password }));
}

/** `count` empty conversations, the newest updated first by title number. */
export async function insertConversations(
  sql: RawSql,
  userId: string,
  count: number,
  titlePrefix: string,
): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `INSERT INTO conversations (id, user_id, title, created_at, updated_at)
     SELECT gen_random_uuid(), $1, $2 || ' ' || i,
            now() - make_interval(hours => i), now() - make_interval(mins => i)
     FROM generate_series(1, $3::int) AS i
     RETURNING id`,
    [userId, titlePrefix, count],
  );
  return rows.map((r) => r.id);
}

/**
 * A conversation whose active branch holds `count` messages, made most recently active.
 * Ids are derived from the conversation id and position (md5 → uuid) so each row can name
 * its parent within the same INSERT.
 */
export async function insertConversationWithMessages(
  sql: RawSql,
  userId: string,
  title: string,
  count: number,
): Promise<string> {
  const [conversation] = await sql.query<{ id: string }>(
    `INSERT INTO conversations (id, user_id, title, created_at, updated_at)
     VALUES (gen_random_uuid(), $1, $2, now() - interval '30 days', now()) RETURNING id`,
    [userId, title],
  );
  const id = conversation!.id;
  await sql.query(
    `INSERT INTO messages (id, conversation_id, user_id, parent_id, depth, active, role, content, status,
                           model, prompt_tokens, completion_tokens, created_at, updated_at)
     SELECT md5($1 || ':' || i)::uuid, $1::uuid, $2::uuid,
            CASE WHEN i = 0 THEN NULL ELSE md5($1 || ':' || (i - 1))::uuid END,
            i, true,
            (CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END)::message_role,
            CASE WHEN i % 2 = 0
              THEN 'Question ' || i || ': how would you explain the difference between a process and a thread?'
              ELSE 'Answer ' || i || ': a process owns its memory and resources; threads share the memory of the process they belong to, so they are cheaper to start and to switch between.'
            END,
            'complete'::message_status,
            CASE WHEN i % 2 = 1 THEN 'fixture-small' END,
            CASE WHEN i % 2 = 1 THEN 40 END,
            CASE WHEN i % 2 = 1 THEN 35 END,
            now() - interval '30 days' + make_interval(secs => i),
            now() - interval '30 days' + make_interval(secs => i)
     FROM generate_series(0, $3::int - 1) AS i`,
    [id, userId, count],
  );
  return id;
}
