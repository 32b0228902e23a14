import { audit as q, type Database } from "@parley/db";

const BATCH = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes audit events older than `retentionDays`; returns how many went. */
export async function sweepAuditEvents(
  db: Database,
  retentionDays: number,
  now = Date.now(),
): Promise<number> {
  const before = new Date(now - retentionDays * DAY_MS);
  let total = 0;
  for (;;) {
    const deleted = await q.deleteAuditEventsBefore(db, before, BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export interface AuditSweeper {
  start(): void;
  stop(): void;
}

/**
 * Runs the retention sweep now and then every `intervalMs`. Every replica runs one: the
 * delete is idempotent, so overlapping sweeps only repeat each other's work.
 */
export function createAuditSweeper(options: {
  db: Database;
  retentionDays: number;
  intervalMs?: number;
  log?: (message: string) => void;
}): AuditSweeper {
  let timer: NodeJS.Timeout | undefined;
  const run = () =>
    sweepAuditEvents(options.db, options.retentionDays).then(
      (deleted) => {
        if (deleted) options.log?.(`audit: removed ${deleted} events past retention`);
      },
      (error: Error) => options.log?.(`audit sweep failed: ${error.message}`),
    );
  return {
    start() {
      if (timer) return;
      void run();
      timer = setInterval(() => void run(), options.intervalMs ?? 60 * 60 * 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
