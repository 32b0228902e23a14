import { recordAudit, type AuditOrigin } from "../../core/audit";
import { forgetUserEntries } from "../../core/auth/sessions";
import { usage as q, users } from "@parley/db";
import type { AppDeps } from "../../core/context";
import { DomainError } from "../../core/errors";
import { startOfUtcDay, type UsageMeter } from "../../core/usage-meter";

/** What this feature reads of AppDeps. */
export type UsageDeps = Pick<AppDeps, "db" | "usage" | "sessionCache">;

/** Days of history in the usage chart, today included. */
export const USAGE_DAYS = 30;
const ADMIN_PAGE_SIZE = 200;

export interface TokenTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface UsageSummary {
  today: TokenTotals;
  month: TokenTotals;
  /** This month, per model, heaviest first. */
  perModel: Array<TokenTotals & { model: string; replies: number; estimatedReplies: number }>;
  /** The last 30 UTC days, oldest first, every day present (zeros included). */
  perDay: Array<{ day: string; totalTokens: number; byModel: Record<string, number> }>;
  /** This month, per source: chat (the app) or api (/v1). */
  perSource: Record<q.UsageSource, number>;
  quota: {
    /** Tokens per UTC day; 0 = unlimited. */
    limit: number;
    used: number;
    /** null when unlimited. */
    remaining: number | null;
    resetsAt: Date;
    overridden: boolean;
  };
}

export function usageMeter(deps: UsageDeps): UsageMeter {
  if (!deps.usage) throw new DomainError("SERVICE_UNAVAILABLE", "Usage is not available");
  return deps.usage;
}

const emptyTotals = (): TokenTotals => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

function addTo(totals: TokenTotals, prompt: number, completion: number) {
  totals.promptTokens += prompt;
  totals.completionTokens += completion;
  totals.totalTokens += prompt + completion;
}

/** The caller's usage: today, this month, per model and per day, and their quota. */
export async function usageSummary(
  deps: UsageDeps,
  userId: string,
  now = Date.now(),
): Promise<UsageSummary> {
  const meter = usageMeter(deps);
  const today = startOfUtcDay(now);
  const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const firstChartDay = new Date(today.getTime() - (USAGE_DAYS - 1) * 86_400_000);
  const since = month < firstChartDay ? month : firstChartDay;
  const [rows, quota] = await Promise.all([
    q.dailyUsage(deps.db, userId, since),
    meter.quota(userId),
  ]);

  const todayKey = today.toISOString().slice(0, 10);
  const monthKey = month.toISOString().slice(0, 10);
  const firstChartKey = firstChartDay.toISOString().slice(0, 10);
  const summary = {
    today: emptyTotals(),
    month: emptyTotals(),
    perSource: { chat: 0, api: 0 },
  };
  const perModel = new Map<string, UsageSummary["perModel"][number]>();
  const perDay = new Map<string, UsageSummary["perDay"][number]>();
  for (let i = 0; i < USAGE_DAYS; i++) {
    const day = new Date(firstChartDay.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    perDay.set(day, { day, totalTokens: 0, byModel: {} });
  }

  for (const row of rows) {
    const tokens = row.promptTokens + row.completionTokens;
    if (row.day === todayKey) addTo(summary.today, row.promptTokens, row.completionTokens);
    if (row.day >= monthKey) {
      addTo(summary.month, row.promptTokens, row.completionTokens);
      summary.perSource[row.source] += tokens;
      const model = perModel.get(row.model) ?? {
        model: row.model,
        ...emptyTotals(),
        replies: 0,
        estimatedReplies: 0,
      };
      addTo(model, row.promptTokens, row.completionTokens);
      model.replies += row.replies;
      model.estimatedReplies += row.estimatedReplies;
      perModel.set(row.model, model);
    }
    const day = row.day >= firstChartKey ? perDay.get(row.day) : undefined;
    if (day) {
      day.totalTokens += tokens;
      day.byModel[row.model] = (day.byModel[row.model] ?? 0) + tokens;
    }
  }

  return {
    ...summary,
    perModel: [...perModel.values()].sort((a, b) => b.totalTokens - a.totalTokens),
    perDay: [...perDay.values()],
    quota: {
      limit: quota.limit,
      used: quota.used,
      remaining: quota.limit === 0 ? null : Math.max(0, quota.limit - quota.used),
      resetsAt: quota.resetsAt,
      overridden: quota.overridden,
    },
  };
}

export interface AdminUsage {
  /** QUOTA_TOKENS_PER_DAY. */
  defaultTokensPerDay: number;
  users: Array<q.UserUsageTotal & { quota: number }>;
}

/** Everyone's usage today and this month, with their quota: the admin screen. */
export async function adminUsage(deps: UsageDeps, now = Date.now()): Promise<AdminUsage> {
  const meter = usageMeter(deps);
  const today = startOfUtcDay(now);
  const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const rows = await q.usageByUser(deps.db, { today, month, limit: ADMIN_PAGE_SIZE });
  return {
    defaultTokensPerDay: meter.defaultTokensPerDay,
    users: rows.map((row) => ({ ...row, quota: row.quotaOverride ?? meter.defaultTokensPerDay })),
  };
}

export interface QuotaChange {
  userId: string;
  actorId: string;
  /** The override before and after; null = the default (QUOTA_TOKENS_PER_DAY). */
  previous: number | null;
  tokensPerDay: number | null;
}

/**
 * An admin sets (a number, 0 = unlimited) or clears (null) a user's daily quota; it applies
 * to the user's next call on every replica. Returns what changed, for the audit log.
 */
export async function setUserQuota(
  deps: UsageDeps,
  input: { actorId: string; userId: string; tokensPerDay: number | null },
  req: AuditOrigin,
): Promise<QuotaChange> {
  const user = await users.findUserById(deps.db, input.userId);
  if (!user) throw new DomainError("NOT_FOUND", "User not found", { field: "userId" });
  const { previous } = await q.setQuotaOverride(deps.db, {
    userId: input.userId,
    tokensPerDay: input.tokensPerDay,
    updatedById: input.actorId,
  });
  // The override travels with the cached session and key entries (the quota check reads
  // it there, not from Postgres): forgetting them makes the next call see the new one.
  await forgetUserEntries(deps, input.userId);
  await recordAudit(deps, req, {
    action: "user.quota_changed",
    userId: input.userId,
    actorId: input.actorId,
    details: { from: previous, to: input.tokensPerDay },
  });
  return {
    userId: input.userId,
    actorId: input.actorId,
    previous,
    tokensPerDay: input.tokensPerDay,
  };
}
