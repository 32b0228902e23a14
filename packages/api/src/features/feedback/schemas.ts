import { z } from "zod";

export const setFeedbackInput = z.object({
  messageId: z.uuid(),
  /** null takes the rating back. */
  rating: z.enum(["up", "down"]).nullable(),
});
export type SetFeedbackInput = z.infer<typeof setFeedbackInput>;
