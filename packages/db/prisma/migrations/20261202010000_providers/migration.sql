-- Model providers an admin adds in the UI (issue 17). The key is sealed by the key module.
-- Model columns widen to 200: a model reference is now `<provider id>/<model>` (a UUID and
-- a slash in front of the provider's own model id). Widening a varchar rewrites no rows.

-- AlterTable
ALTER TABLE "conversations" ALTER COLUMN "model" SET DATA TYPE VARCHAR(200);

-- AlterTable
ALTER TABLE "messages" ALTER COLUMN "model" SET DATA TYPE VARCHAR(200);

-- AlterTable
ALTER TABLE "usage_records" ALTER COLUMN "model" SET DATA TYPE VARCHAR(200);

-- AlterTable
ALTER TABLE "presets" ALTER COLUMN "model" SET DATA TYPE VARCHAR(200);

-- CreateTable
CREATE TABLE "providers" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "base_url" VARCHAR(500) NOT NULL,
    "api_key_sealed" TEXT,
    "models" TEXT[],
    "vision_models" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "providers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "providers_name_key" ON "providers"("name");

