-- A reply stopped or cut off before the provider's usage chunk keeps Parley's own count of
-- its tokens, marked so the UI can say the figure is an estimate.
ALTER TABLE "messages" ADD COLUMN "usage_estimated" BOOLEAN NOT NULL DEFAULT false;
