-- Thumbs up or down on replies, one per reply and user (sharded by user_id like messages).

-- CreateEnum
CREATE TYPE "feedback_rating" AS ENUM ('up', 'down');

-- CreateTable
CREATE TABLE "message_feedback" (
    "user_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "rating" "feedback_rating" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_feedback_pkey" PRIMARY KEY ("user_id","message_id")
);

-- AddForeignKey
ALTER TABLE "message_feedback" ADD CONSTRAINT "message_feedback_user_id_message_id_fkey" FOREIGN KEY ("user_id", "message_id") REFERENCES "messages"("user_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
