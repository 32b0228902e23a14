import { createPasswordHasher } from "@parley/api";
import type { BenchDatabase } from "../lib/environment";
import {
  insertConversations,
  insertConversationWithMessages,
  insertUser,
  insertUsers,
  type SeededUser,
} from "../lib/seed";
import { trpcCall } from "../lib/trpc";

export interface SeededData {
  /** 60 conversations (a full page of 50 and more) and one of them with 10,000 messages. */
  reader: SeededUser;
  readerHistoryId: string;
  /** Two conversations for the paging ratio: 100 and 100,000 messages. */
  pager: SeededUser;
  smallConversationId: string;
  hugeConversationId: string;
  /** Users that open the concurrent streams (spreading the per-user send limit). */
  streamers: SeededUser[];
  /** Users for the first-token samples, apart from the streamers for the same reason. */
  firstTokenUsers: SeededUser[];
  /** Accounts the login benchmarks sign in to, never the reader: the API keeps at most 50
   * sessions per user, so a flood on the reader's account would revoke its token. */
  loginUsers: SeededUser[];
}

export const HISTORY_MESSAGES = 10_000;
export const SMALL_MESSAGES = 100;
export const HUGE_MESSAGES = 100_000;
export const READER_CONVERSATIONS = 60;
/** The API allows 30 sends per user per minute: 1,000 streams need 34 users at least. */
export const STREAMERS = 50;

/** Writes the benchmark's users and history straight into the database (see lib/seed.ts). */
export async function seedBenchData(database: BenchDatabase): Promise<SeededData> {
  const password = "bench-password-1234";
  // One real argon2id hash, as the API would store it, shared by every seeded user.
  const passwordHash = await createPasswordHasher().hash(password);
  const db = await database.open();
  try {
    return await db.withConnection(async (sql) => {
      const reader = await insertUser(sql, "bench_reader", password, passwordHash);
      await insertConversations(sql, reader.id, READER_CONVERSATIONS - 1, "Bench conversation");
      const readerHistoryId = await insertConversationWithMessages(
        sql,
        reader.id,
        "Long history",
        HISTORY_MESSAGES,
      );
      const pager = await insertUser(sql, "bench_pager", password, passwordHash);
      const smallConversationId = await insertConversationWithMessages(
        sql,
        pager.id,
        "Short",
        SMALL_MESSAGES,
      );
      const hugeConversationId = await insertConversationWithMessages(
        sql,
        pager.id,
        "Huge",
        HUGE_MESSAGES,
      );
      const streamers = await insertUsers(
        sql,
        "bench_streamer_",
        STREAMERS,
        password,
        passwordHash,
      );
      const firstTokenUsers = await insertUsers(
        sql,
        "bench_sender_",
        STREAMERS,
        password,
        passwordHash,
      );
      const loginUsers = await insertUsers(sql, "bench_login_", 200, password, passwordHash);
      // Fresh statistics, as autovacuum would gather soon after such a bulk load.
      await sql.exec("ANALYZE");
      return {
        reader,
        readerHistoryId,
        pager,
        smallConversationId,
        hugeConversationId,
        streamers,
        firstTokenUsers,
        loginUsers,
      };
    });
  } finally {
    await db.close();
  }
}

interface LoginResult {
  accessToken: string;
  user: { id: string };
}

/** Signs in through the API; every call uses its own X-Real-IP so the per-IP limit is not hit. */
export async function signIn(apiUrl: string, user: SeededUser): Promise<string> {
  const result = await trpcCall<LoginResult>(apiUrl, "auth.login", {
    type: "mutation",
    input: { login: user.username, password: user.password, refreshTokenInBody: true },
    headers: { "x-real-ip": nextClientIp() },
  });
  return result.accessToken;
}

let clientCounter = 0;
/** 10.x.y.z, a new one per call: as many distinct clients as the bench needs. */
export function nextClientIp(): string {
  const n = ++clientCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** A load generator's setupRequest for auth.login: each request signs in to the next of
 * `users` from a new client address (as many people signing in would). */
export function loginRequests(
  users: SeededUser[],
): (request: Record<string, unknown>) => Record<string, unknown> {
  let next = 0;
  return (request) => {
    const user = users[next++ % users.length]!;
    const headers = (request.headers as Record<string, string> | undefined) ?? {};
    return {
      ...request,
      headers: { ...headers, "x-real-ip": nextClientIp() },
      body: JSON.stringify({
        json: { login: user.username, password: user.password, refreshTokenInBody: true },
      }),
    };
  };
}
