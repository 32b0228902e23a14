-- A message's siblings are read by (user_id, parent_id). With only (parent_id) indexed, the
-- planner could walk the (user_id, id) primary key instead and filter every message the user
-- has, once per row of a history page. The same index backs the composite foreign key.
DROP INDEX "messages_parent_id_idx";
CREATE INDEX "messages_user_id_parent_id_idx" ON "messages"("user_id", "parent_id");
