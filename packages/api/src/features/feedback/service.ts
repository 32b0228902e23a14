import { feedback } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import type { SetFeedbackInput } from "./schemas";

/** What this feature reads of AppDeps. */
export type FeedbackDeps = Pick<AppDeps, "db">;

/** Rates one of the caller's own replies; someone else's (or a question) is not found. */
export async function setFeedback(deps: FeedbackDeps, userId: string, input: SetFeedbackInput) {
  const found = await feedback.setRating(deps.db, { userId, ...input });
  if (!found) throw new DomainError("NOT_FOUND", "Reply not found", { field: "messageId" });
  return { messageId: input.messageId, rating: input.rating };
}

export interface FeedbackCounts {
  total: { up: number; down: number };
  perModel: Array<{ model: string | null; up: number; down: number }>;
}

/** Thumbs up and down per model, over everyone: counts, never who rated what. */
export async function feedbackCounts(deps: FeedbackDeps): Promise<FeedbackCounts> {
  const perModel = await feedback.countsByModel(deps.db);
  const total = perModel.reduce((sum, r) => ({ up: sum.up + r.up, down: sum.down + r.down }), {
    up: 0,
    down: 0,
  });
  return { total, perModel };
}
