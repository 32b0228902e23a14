-- CreateTable
CREATE TABLE "shared_conversations" (
    "user_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "secret" VARCHAR(64) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "snapshot" JSONB NOT NULL,
    "message_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shared_conversations_pkey" PRIMARY KEY ("user_id","id")
);

-- CreateIndex
CREATE INDEX "shared_conversations_user_id_conversation_id_idx" ON "shared_conversations"("user_id", "conversation_id");

-- CreateIndex
CREATE UNIQUE INDEX "shared_conversations_user_id_secret_key" ON "shared_conversations"("user_id", "secret");

-- AddForeignKey
ALTER TABLE "shared_conversations" ADD CONSTRAINT "shared_conversations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

