-- CreateEnum
CREATE TYPE "file_kind" AS ENUM ('image', 'text', 'pdf', 'docx');

-- CreateTable
CREATE TABLE "files" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "mime_type" VARCHAR(100) NOT NULL,
    "kind" "file_kind" NOT NULL,
    "size" INTEGER NOT NULL,
    "storage_key" VARCHAR(200) NOT NULL,
    "wrapped_key" VARCHAR(200) NOT NULL,
    "key_id" VARCHAR(32) NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "attached_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "files_pkey" PRIMARY KEY ("user_id","id")
);

-- CreateTable
CREATE TABLE "message_attachments" (
    "user_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "file_id" UUID NOT NULL,
    "position" SMALLINT NOT NULL,

    CONSTRAINT "message_attachments_pkey" PRIMARY KEY ("user_id","message_id","file_id")
);

-- CreateIndex
CREATE INDEX "files_user_id_created_at_id_idx" ON "files"("user_id", "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "files_created_at_idx" ON "files"("created_at");

-- CreateIndex
CREATE INDEX "message_attachments_user_id_file_id_idx" ON "message_attachments"("user_id", "file_id");

-- CreateIndex
CREATE INDEX "message_attachments_message_id_idx" ON "message_attachments"("message_id");

-- AddForeignKey
ALTER TABLE "files" ADD CONSTRAINT "files_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_user_id_file_id_fkey" FOREIGN KEY ("user_id", "file_id") REFERENCES "files"("user_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

