-- Presets: a saved system prompt, model and temperature a user starts a chat from. Keyed by
-- user like every per-user table. Names are unique per user (the menu lists them by name).
CREATE TABLE "presets" (
    "user_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "system_prompt" TEXT,
    "model" VARCHAR(100),
    "temperature" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "presets_pkey" PRIMARY KEY ("user_id","id")
);

CREATE UNIQUE INDEX "presets_user_id_name_key" ON "presets"("user_id", "name");

ALTER TABLE "presets" ADD CONSTRAINT "presets_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
