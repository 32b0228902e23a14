-- Full-text search with stemming. The 'russian' configuration stems Cyrillic words with
-- the Russian Snowball stemmer and ASCII words with the English one (both ship with
-- Postgres and PGlite), so "кошки" finds "кошками" and "runs" finds "running".
--
-- Message text is kept parsed in a generated column: ranking (ts_rank) reads it instead of
-- parsing every matching message again, which at 100,000 matches is the difference between
-- a fraction of a second and many seconds. A message is parsed once per write either way
-- (an expression index parses on every write too). Titles are short: an expression index.
-- Prisma cannot express either, so this is written by hand, and packages/db/src/queries/search.ts
-- uses exactly these expressions. The 'simple' indexes they replace are read by no query.
ALTER TABLE "messages"
  ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, "content")) STORED;
CREATE INDEX "messages_search_vector_idx" ON "messages" USING GIN ("search_vector");
CREATE INDEX "conversations_title_search_idx" ON "conversations" USING GIN (to_tsvector('russian'::regconfig, "title"));
DROP INDEX IF EXISTS "conversations_title_fts_idx";
DROP INDEX IF EXISTS "messages_content_fts_idx";
