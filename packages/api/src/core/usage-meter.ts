import { usage as q, type Database } from "@parley/db";
import type { DailyTokenCounter } from "../infra/token-counter";
import { DomainError } from "./errors";

export type UsageSource = q.UsageSource;

/** One reply's tokens, as chat or /v1 reports them. */
export interface UsageReport {
  userId: string;
  source: UsageSource;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** True when Parley's tokenizer counted them because the provider reported none. */
  estimated: boolean;
  apiKeyId?: string | null;
  messageId?: string | null;
}

/** Told about recorded usage and refused calls (the server's metrics). Must not throw. */
export interface UsageObserver {
  onUsage?(report: Omit<UsageReport, "userId" | "apiKeyId" | "messageId">): void;
  onQuotaRefused?(info: { source: UsageSource }): void;
}

export interface QuotaStatus {
  /** Tokens per UTC day; 0 means unlimited. */
  limit: number;
  /** Prompt plus completion tokens spent today (UTC). */
  used: number;
  /** The next UTC midnight, when `used` starts again from 0. */
  resetsAt: Date;
  /** True when an admin set this user's limit, false when QUOTA_TOKENS_PER_DAY applies. */
  overridden: boolean;
}

/**
 * Metering shared by chat and /v1: every reply's tokens are recorded (Postgres, the truth)
 * and counted per day (Redis or in-process, what the quota check reads), and a call is
 * refused before the model is asked once the day's quota is spent. A reply already running
 * when the quota runs out is finished and counted: the check is only made up front.
 */
export interface UsageMeter {
  /** QUOTA_TOKENS_PER_DAY: the limit of users without an override (0 = unlimited). */
  readonly defaultTokensPerDay: number;
  /** `quotaOverride`: the override as the caller already knows it (from the session cache,
   * see AuthUser), or a promise of it (authentication still running); when it is or
   * resolves to undefined, it is read from Postgres. */
  quota(userId: string, quotaOverride?: KnownQuotaOverride): Promise<QuotaStatus>;
  /** Throws TOO_MANY_REQUESTS (saying when the quota resets, with Retry-After on
   * `responseHeaders`) when the user's quota for today is spent. Pass the caller's
   * `quotaOverride` when authentication knows it: the check then costs no Postgres read. */
  assertWithinQuota(
    userId: string,
    options: {
      source: UsageSource;
      responseHeaders?: Headers;
      quotaOverride?: KnownQuotaOverride;
    },
  ): Promise<void>;
  /** Never throws: a reply must not fail because its accounting did (the error is logged). */
  record(report: UsageReport): Promise<void>;
}

/** A quota override as authentication found it; undefined (or a promise of it): unknown. */
export type KnownQuotaOverride = number | null | undefined | PromiseLike<number | null | undefined>;

export interface UsageMeterOptions {
  db: Database;
  counter: DailyTokenCounter;
  defaultTokensPerDay: number;
  /** Read at each report, so metrics can be attached after the meter is built. */
  observer?: () => UsageObserver | undefined;
  log?: (message: string) => void;
  now?: () => number;
}

export const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);
export const startOfUtcDay = (at: number) => new Date(`${utcDay(at)}T00:00:00.000Z`);
export const nextUtcMidnight = (at: number) => new Date(startOfUtcDay(at).getTime() + 86_400_000);

export function createUsageMeter(options: UsageMeterOptions): UsageMeter {
  const { db, counter } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const observer = options.observer ?? (() => undefined);

  async function usedToday(userId: string, at: number): Promise<number> {
    const day = utcDay(at);
    try {
      const known = await counter.get(userId, day);
      if (known !== null) return known;
      const total = await q.tokensSince(db, userId, startOfUtcDay(at));
      return await counter.seed(userId, day, total);
    } catch {
      // The shared counter is unreachable: Postgres still knows, at the price of a sum.
      return q.tokensSince(db, userId, startOfUtcDay(at));
    }
  }

  async function overrideOf(userId: string, known: KnownQuotaOverride): Promise<number | null> {
    const value = await known;
    return value !== undefined ? value : q.findQuotaOverride(db, userId);
  }

  async function quota(userId: string, known?: KnownQuotaOverride): Promise<QuotaStatus> {
    const at = now();
    const [override, used] = await Promise.all([overrideOf(userId, known), usedToday(userId, at)]);
    return {
      limit: override ?? options.defaultTokensPerDay,
      used,
      resetsAt: nextUtcMidnight(at),
      overridden: override !== null,
    };
  }

  return {
    defaultTokensPerDay: options.defaultTokensPerDay,
    quota,

    async assertWithinQuota(userId, { source, responseHeaders, quotaOverride }) {
      const status = await quota(userId, quotaOverride);
      if (status.limit === 0 || status.used < status.limit) return;
      const retryAfterSeconds = Math.max(1, Math.ceil((status.resetsAt.getTime() - now()) / 1000));
      responseHeaders?.set("Retry-After", String(retryAfterSeconds));
      try {
        observer()?.onQuotaRefused?.({ source });
      } catch {
        // Metrics are best effort.
      }
      throw new DomainError(
        "TOO_MANY_REQUESTS",
        `You have used your daily quota of ${status.limit.toLocaleString("en")} tokens; ` +
          `it resets at ${status.resetsAt.toISOString()} (in ${describeWait(retryAfterSeconds)})`,
        {
          reason: "quota",
          retryAfterSeconds,
          resetsAt: status.resetsAt.toISOString(),
          limit: status.limit,
          used: status.used,
        },
      );
    },

    async record(report) {
      const promptTokens = clampTokens(report.promptTokens);
      const completionTokens = clampTokens(report.completionTokens);
      try {
        await q.recordUsage(db, { ...report, promptTokens, completionTokens });
      } catch (error) {
        log(`recording usage of user ${report.userId} failed: ${String(error)}`);
        return;
      }
      await counter.add(report.userId, utcDay(now()), promptTokens + completionTokens).catch(() => {
        // The counter re-seeds from Postgres, which has the row.
      });
      try {
        observer()?.onUsage?.({
          source: report.source,
          model: report.model,
          promptTokens,
          completionTokens,
          estimated: report.estimated,
        });
      } catch {
        // Metrics are best effort.
      }
    },
  };
}

/** Provider figures are trusted only as whole, non-negative, int4-sized numbers. */
function clampTokens(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(Math.floor(value), 2_000_000_000);
}

function describeWait(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  if (hours === 0) return `${Math.max(1, minutes)} min`;
  return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
}
