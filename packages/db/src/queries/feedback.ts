import type { Database } from "../client";

/** A thumbs up or down on a reply. */
export type Rating = "up" | "down";

/**
 * Sets (or with null clears) the user's rating of one of their own replies. False when the
 * user has no such reply: the message id alone is never trusted, the (user_id, id) key is.
 */
export async function setRating(
  db: Database,
  args: { userId: string; messageId: string; rating: Rating | null },
): Promise<boolean> {
  const reply = await db.prisma.message.findFirst({
    where: { userId: args.userId, id: args.messageId, role: "assistant" },
    select: { id: true },
  });
  if (!reply) return false;
  const key = { userId_messageId: { userId: args.userId, messageId: args.messageId } };
  if (args.rating === null) {
    await db.prisma.messageFeedback.deleteMany({
      where: { userId: args.userId, messageId: args.messageId },
    });
  } else {
    await db.prisma.messageFeedback.upsert({
      where: key,
      create: { userId: args.userId, messageId: args.messageId, rating: args.rating },
      update: { rating: args.rating },
    });
  }
  return true;
}

export interface RatingCounts {
  model: string | null;
  up: number;
  down: number;
}

/** Ratings across every user, per model of the rated reply: counts only, for admins. */
export async function countsByModel(db: Database): Promise<RatingCounts[]> {
  const rows = await db.sql.query<{
    model: string | null;
    up: string | number;
    down: string | number;
  }>(
    `SELECT m.model,
            COUNT(*) FILTER (WHERE f.rating = 'up') AS up,
            COUNT(*) FILTER (WHERE f.rating = 'down') AS down
     FROM message_feedback f
     JOIN messages m ON m.user_id = f.user_id AND m.id = f.message_id
     GROUP BY m.model
     ORDER BY COUNT(*) DESC, m.model`,
    [],
  );
  return rows.map((r) => ({ model: r.model, up: Number(r.up), down: Number(r.down) }));
}
