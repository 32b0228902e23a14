import type { Database } from "../client";
import { Prisma } from "../generated/prisma/client";

/**
 * Full-text search over one user's conversation titles and the messages of their visible
 * branches, ranked with ts_rank and shown with ts_headline snippets. The 'russian' text
 * search configuration stems Cyrillic words with the Russian Snowball stemmer and ASCII
 * words with the English one, so "кошки" finds "кошками" and "runs" finds "running" on
 * Postgres and PGlite alike. Messages are matched and ranked on their generated
 * `search_vector` column, titles on an expression index (migration
 * 20261201183000_search_stemming; the expressions must stay the same for the planner).
 */

export const SEARCH_CONFIG = "russian";

/** Highlight markers in snippets and titles: control characters that never survive into
 * stored text (they are stripped from it before ts_headline runs), so a client can split on
 * them and render marks itself instead of trusting HTML from the server. */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

/** Stands in for "<" while ts_headline runs: its parser takes `<b …>` for markup and drops
 * it, and a snippet should show the text as written (the client renders it as text). */
const LT_STAND_IN = "\uE000";

const SNIPPET_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=22, MinWords=8, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
const TITLE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;

/** Words become prefix terms (`word:*`, stemmed by the configuration) joined by AND. Only
 * letters and digits pass, so the user's text can never carry tsquery syntax. Null when
 * nothing searchable is left. */
export function toSearchTsQuery(text: string): string | null {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
  return words.length ? words.map((w) => `${w.slice(0, 64)}:*`).join(" & ") : null;
}

export interface SearchHit {
  id: string;
  title: string;
  /** The title with MARK_START/MARK_END around matched words. */
  titleMarked: string;
  pinned: boolean;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The best-ranked matching message of the conversation's visible branch, if any. */
  messageId: string | null;
  /** Fragments of that message with MARK_START/MARK_END around matched words. */
  snippet: string | null;
  rank: number;
}

/** Best matches first (a title match outranks a match in text alone), archived
 * conversations included and marked by `archived`. */
export async function searchConversations(
  db: Database,
  userId: string,
  args: { query: string; limit: number },
): Promise<SearchHit[]> {
  const tsQuery = toSearchTsQuery(args.query);
  if (!tsQuery) return [];
  // Headlines are the costly part (they re-parse whole messages): they are made only for
  // the page of results, after ranking and LIMIT.
  const rows = await db.prisma.$queryRaw<
    Array<Omit<SearchHit, "rank"> & { rank: number | string }>
  >`
    WITH q AS (SELECT to_tsquery('russian'::regconfig, ${tsQuery}) AS q),
    best_message AS (
      SELECT DISTINCT ON (m.conversation_id)
             m.conversation_id, m.id, ts_rank(m.search_vector, q.q, 1) AS rank
      FROM messages m, q
      WHERE m.user_id = ${userId}::uuid AND m.active
        AND m.search_vector @@ q.q
      ORDER BY m.conversation_id, rank DESC, m.created_at DESC
    ),
    title_match AS (
      SELECT c.id, 1 + ts_rank(to_tsvector('russian'::regconfig, c.title), q.q) AS rank
      FROM conversations c, q
      WHERE c.user_id = ${userId}::uuid AND to_tsvector('russian'::regconfig, c.title) @@ q.q
    ),
    ranked AS (
      SELECT c.id, c.title, c.pinned, c.archived, c.created_at, c.updated_at,
             b.id AS message_id, COALESCE(t.rank, 0) + COALESCE(b.rank, 0) AS rank
      FROM conversations c
      LEFT JOIN best_message b ON b.conversation_id = c.id
      LEFT JOIN title_match t ON t.id = c.id
      WHERE c.user_id = ${userId}::uuid AND (b.id IS NOT NULL OR t.id IS NOT NULL)
      ORDER BY rank DESC, c.updated_at DESC, c.id DESC
      LIMIT ${args.limit}
    )
    SELECT r.id::text AS id, r.title, r.pinned, r.archived,
           r.created_at AS "createdAt", r.updated_at AS "updatedAt",
           r.message_id::text AS "messageId", r.rank::float8 AS rank,
           ${headline(Prisma.sql`r.title`, TITLE_OPTIONS)} AS "titleMarked",
           CASE WHEN m.id IS NULL THEN NULL
                ELSE ${headline(Prisma.sql`m.content`, SNIPPET_OPTIONS)}
           END AS snippet
    FROM ranked r
    CROSS JOIN q
    LEFT JOIN messages m ON m.id = r.message_id AND m.user_id = ${userId}::uuid
    ORDER BY r.rank DESC, r.updated_at DESC, r.id DESC`;
  return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
}

/** ts_headline of `text` against the query `q.q`, markers in stored text removed first. */
function headline(text: Prisma.Sql, options: string): Prisma.Sql {
  const source = Prisma.sql`replace(translate(${text}, ${MARK_START + MARK_END}, ''), '<', ${LT_STAND_IN})`;
  return Prisma.sql`replace(ts_headline('russian'::regconfig, ${source}, q.q, ${options}), ${LT_STAND_IN}, '<')`;
}

/** The title/message filter of a conversation list narrowed by words (chat.listConversations
 * with `query`), on the same indexes as searchConversations. */
export function conversationMatches(tsQuery: string): Prisma.Sql {
  return Prisma.sql`(
    to_tsvector('russian'::regconfig, c.title) @@ to_tsquery('russian'::regconfig, ${tsQuery})
    OR EXISTS (
      SELECT 1 FROM messages m
      WHERE m.conversation_id = c.id AND m.user_id = c.user_id
        AND m.search_vector @@ to_tsquery('russian'::regconfig, ${tsQuery})
    )
  )`;
}
