-- Full-text search over conversation titles and message text. Prisma cannot express
-- expression indexes, so this migration is written by hand. The 'simple' configuration
-- does no stemming, which keeps search language-neutral (English and Russian alike).
CREATE INDEX "conversations_title_fts_idx" ON "conversations" USING GIN (to_tsvector('simple', "title"));
CREATE INDEX "messages_content_fts_idx" ON "messages" USING GIN (to_tsvector('simple', "content"));
