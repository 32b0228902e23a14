-- Shard-ready keys (docs/scaling.md, "Shards"): every per-user table is keyed by user_id
-- first, and foreign keys between per-user tables carry it on both sides, so under Citus
-- (distributed by user_id) a user's rows and the constraints between them live on one
-- shard. Existing rows are kept: only keys change, and rotated_tokens gains its user_id
-- from the session it belongs to.

-- Foreign keys that lean on the old single-column primary keys go first.
ALTER TABLE "rotated_tokens" DROP CONSTRAINT "rotated_tokens_session_id_fkey";
ALTER TABLE "messages" DROP CONSTRAINT "messages_conversation_id_fkey";
ALTER TABLE "messages" DROP CONSTRAINT "messages_parent_id_fkey";
ALTER TABLE "message_attachments" DROP CONSTRAINT "message_attachments_message_id_fkey";

-- A message belongs to its conversation's owner, and an attachment to its message's owner:
-- the new keys require it. The application always wrote rows that way, this only makes
-- sure no hand-made row stops the migration.
UPDATE "messages" AS m SET "user_id" = c."user_id"
FROM "conversations" AS c
WHERE c."id" = m."conversation_id" AND m."user_id" <> c."user_id";
DELETE FROM "message_attachments" AS a
USING "messages" AS m
WHERE m."id" = a."message_id" AND m."user_id" <> a."user_id";

-- rotated_tokens: the user of its session.
ALTER TABLE "rotated_tokens" ADD COLUMN "user_id" UUID;
UPDATE "rotated_tokens" AS r SET "user_id" = s."user_id"
FROM "sessions" AS s
WHERE s."id" = r."session_id";
DELETE FROM "rotated_tokens" WHERE "user_id" IS NULL;
ALTER TABLE "rotated_tokens" ALTER COLUMN "user_id" SET NOT NULL;

-- Lookups by token or key hash now name the user, the plain key_hash index serves API
-- keys issued before keys named their user.
DROP INDEX "sessions_token_hash_key";
DROP INDEX "sessions_user_id_idx";
DROP INDEX "rotated_tokens_session_id_idx";
DROP INDEX "api_keys_key_hash_key";
DROP INDEX "api_keys_user_id_idx";

-- Primary keys led by user_id.
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_pkey",
ADD CONSTRAINT "sessions_pkey" PRIMARY KEY ("user_id", "id");

ALTER TABLE "rotated_tokens" DROP CONSTRAINT "rotated_tokens_pkey",
ADD CONSTRAINT "rotated_tokens_pkey" PRIMARY KEY ("user_id", "token_hash");

ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_pkey",
ADD CONSTRAINT "api_keys_pkey" PRIMARY KEY ("user_id", "id");

ALTER TABLE "conversations" DROP CONSTRAINT "conversations_pkey",
ADD CONSTRAINT "conversations_pkey" PRIMARY KEY ("user_id", "id");

ALTER TABLE "messages" DROP CONSTRAINT "messages_pkey",
ADD CONSTRAINT "messages_pkey" PRIMARY KEY ("user_id", "id");

CREATE UNIQUE INDEX "sessions_user_id_token_hash_key" ON "sessions"("user_id", "token_hash");
CREATE INDEX "rotated_tokens_user_id_session_id_idx" ON "rotated_tokens"("user_id", "session_id");
CREATE INDEX "api_keys_key_hash_idx" ON "api_keys"("key_hash");
CREATE UNIQUE INDEX "api_keys_user_id_key_hash_key" ON "api_keys"("user_id", "key_hash");

-- Co-located foreign keys. ON UPDATE NO ACTION: ids and user ids never change, and Citus
-- does not cascade updates of the distribution column.
ALTER TABLE "rotated_tokens" ADD CONSTRAINT "rotated_tokens_user_id_session_id_fkey" FOREIGN KEY ("user_id", "session_id") REFERENCES "sessions"("user_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "messages" ADD CONSTRAINT "messages_user_id_conversation_id_fkey" FOREIGN KEY ("user_id", "conversation_id") REFERENCES "conversations"("user_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "messages" ADD CONSTRAINT "messages_user_id_parent_id_fkey" FOREIGN KEY ("user_id", "parent_id") REFERENCES "messages"("user_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_user_id_message_id_fkey" FOREIGN KEY ("user_id", "message_id") REFERENCES "messages"("user_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
