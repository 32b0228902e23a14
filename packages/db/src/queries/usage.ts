import type { Database } from "../client";

/**
 * Token usage (one row per reply, from chat or /v1) and per-user quota overrides. Days are
 * UTC days: the quota resets at UTC midnight for everyone.
 */

export type UsageSource = "chat" | "api";

export interface NewUsageRecord {
  userId: string;
  source: UsageSource;
  model: string;
  promptTokens: number;
  completionTokens: number;
  estimated: boolean;
  apiKeyId?: string | null;
  messageId?: string | null;
}

export async function recordUsage(db: Database, record: NewUsageRecord): Promise<void> {
  await db.prisma.usageRecord.create({
    data: {
      userId: record.userId,
      source: record.source,
      model: record.model.slice(0, 100),
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      estimated: record.estimated,
      apiKeyId: record.apiKeyId ?? null,
      messageId: record.messageId ?? null,
    },
    select: { id: true },
  });
}

/** Prompt plus completion tokens of one user since `since`. */
export async function tokensSince(db: Database, userId: string, since: Date): Promise<number> {
  const rows = await db.prisma.$queryRaw<Array<{ total: bigint | number | null }>>`
    SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0)::bigint AS total
    FROM usage_records
    WHERE user_id = ${userId}::uuid AND created_at >= ${since}`;
  return Number(rows[0]?.total ?? 0);
}

export interface DailyModelUsage {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  model: string;
  source: UsageSource;
  promptTokens: number;
  completionTokens: number;
  /** How many of the replies were counted by Parley's tokenizer. */
  estimatedReplies: number;
  replies: number;
}

/** One user's usage since `since`, summed per UTC day, model and source. */
export async function dailyUsage(
  db: Database,
  userId: string,
  since: Date,
): Promise<DailyModelUsage[]> {
  const rows = await db.prisma.$queryRaw<
    Array<{
      day: string;
      model: string;
      source: UsageSource;
      prompt: bigint | number;
      completion: bigint | number;
      estimated: bigint | number;
      replies: bigint | number;
    }>
  >`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
           model, source::text AS source,
           SUM(prompt_tokens)::bigint AS prompt,
           SUM(completion_tokens)::bigint AS completion,
           COUNT(*) FILTER (WHERE estimated)::bigint AS estimated,
           COUNT(*)::bigint AS replies
    FROM usage_records
    WHERE user_id = ${userId}::uuid AND created_at >= ${since}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`;
  return rows.map((row) => ({
    day: row.day,
    model: row.model,
    source: row.source,
    promptTokens: Number(row.prompt),
    completionTokens: Number(row.completion),
    estimatedReplies: Number(row.estimated),
    replies: Number(row.replies),
  }));
}

export interface UserUsageTotal {
  userId: string;
  username: string;
  email: string;
  /** Prompt plus completion tokens since `today`. */
  tokensToday: number;
  /** Prompt plus completion tokens since `month`. */
  tokensMonth: number;
  /** The admin's override, or null when the default quota applies. */
  quotaOverride: number | null;
}

/**
 * Every user who used tokens this month or has a quota override, heaviest first: the
 * admin's view. `limit` bounds the page.
 */
export async function usageByUser(
  db: Database,
  args: { today: Date; month: Date; limit: number },
): Promise<UserUsageTotal[]> {
  const rows = await db.prisma.$queryRaw<
    Array<{
      user_id: string;
      username: string;
      email: string;
      today: bigint | number;
      month: bigint | number;
      quota: number | null;
    }>
  >`
    WITH totals AS (
      SELECT user_id,
             COALESCE(SUM(prompt_tokens + completion_tokens)
               FILTER (WHERE created_at >= ${args.today}), 0)::bigint AS today,
             SUM(prompt_tokens + completion_tokens)::bigint AS month
      FROM usage_records
      WHERE created_at >= ${args.month}
      GROUP BY user_id
    )
    SELECT u.id::text AS user_id, u.username, u.email,
           COALESCE(t.today, 0)::bigint AS today, COALESCE(t.month, 0)::bigint AS month,
           q.tokens_per_day AS quota
    FROM users u
    LEFT JOIN totals t ON t.user_id = u.id
    LEFT JOIN user_quotas q ON q.user_id = u.id
    WHERE t.user_id IS NOT NULL OR q.user_id IS NOT NULL
    ORDER BY COALESCE(t.month, 0) DESC, u.id
    LIMIT ${args.limit}`;
  return rows.map((row) => ({
    userId: row.user_id,
    username: row.username,
    email: row.email,
    tokensToday: Number(row.today),
    tokensMonth: Number(row.month),
    quotaOverride: row.quota,
  }));
}

/** The admin's override of the default daily quota, or null. */
export async function findQuotaOverride(db: Database, userId: string): Promise<number | null> {
  const row = await db.prisma.userQuota.findUnique({
    where: { userId },
    select: { tokensPerDay: true },
  });
  return row?.tokensPerDay ?? null;
}

/**
 * Sets (a number) or removes (null) a user's override; returns the previous one. Throws
 * nothing for an unknown user: the caller checks the user exists first.
 */
export async function setQuotaOverride(
  db: Database,
  args: { userId: string; tokensPerDay: number | null; updatedById: string },
): Promise<{ previous: number | null }> {
  return db.prisma.$transaction(async (tx) => {
    const existing = await tx.userQuota.findUnique({
      where: { userId: args.userId },
      select: { tokensPerDay: true },
    });
    if (args.tokensPerDay === null) {
      await tx.userQuota.deleteMany({ where: { userId: args.userId } });
    } else {
      await tx.userQuota.upsert({
        where: { userId: args.userId },
        create: {
          userId: args.userId,
          tokensPerDay: args.tokensPerDay,
          updatedById: args.updatedById,
        },
        update: { tokensPerDay: args.tokensPerDay, updatedById: args.updatedById },
        select: { userId: true },
      });
    }
    return { previous: existing?.tokensPerDay ?? null };
  });
}
