-- Folders of conversations, keyed by user like every per-user table. A conversation names
-- its folder by (user_id, folder_id), so it can only be filed in its owner's folder and
-- both rows sit on one shard.
ALTER TABLE "conversations" ADD COLUMN "folder_id" UUID;

CREATE TABLE "folders" (
    "user_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "folders_pkey" PRIMARY KEY ("user_id","id")
);

CREATE INDEX "conversations_user_id_folder_id_idx" ON "conversations"("user_id", "folder_id");

-- Deleting a folder keeps its conversations, filed nowhere: SET NULL of the folder column
-- only (a plain SET NULL would clear user_id too, which is part of the primary key).
-- Written by hand: Prisma cannot express a column list here (the schema says NoAction).
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_user_id_folder_id_fkey" FOREIGN KEY ("user_id", "folder_id") REFERENCES "folders"("user_id", "id") ON DELETE SET NULL ("folder_id") ON UPDATE NO ACTION;

ALTER TABLE "folders" ADD CONSTRAINT "folders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
