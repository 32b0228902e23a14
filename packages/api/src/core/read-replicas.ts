import { isDatabaseUnavailable, type Database } from "@parley/db";
import type { WritePositions } from "../infra/write-positions";

/**
 * Read routing between the primary and hot-standby replicas. History reads (conversation
 * lists, message pages, search, export) run on a replica through `withReader`; every
 * other query, and every transaction, keeps using the primary (`deps.db`).
 *
 * Read-your-writes: after a user's write, `noteWrite` remembers the primary's WAL position
 * (in Redis, so every API replica knows it). That user's reads then go to a replica only
 * once it has replayed past that position, else to the primary. A replica that does not
 * answer, or lags more than `maxLagMs`, is skipped until it recovers.
 */
export interface ReadReplicas {
  /** Runs a read-only `read` on a replica that has every write of `userId`, or on the primary. */
  withReader<T>(userId: string, read: (db: Database) => Promise<T>): Promise<T>;
  /** Records that `userId` just wrote: their next reads see it. */
  noteWrite(userId: string): Promise<void>;
  /** How each replica is doing (for /readyz and tests). */
  status(): ReplicaStatus[];
  /** Checks every replica now instead of waiting for the next poll. */
  refresh(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export interface ReplicaStatus {
  name: string;
  up: boolean;
  /** Replayed WAL position, as of the last check. */
  replayed: bigint | null;
  /** How long ago the primary wrote something this replica has not replayed yet. */
  lagMs: number;
  usable: boolean;
  /** Reads served since start (for metrics and tests). */
  reads: number;
}

export interface ReadReplicasOptions {
  primary: Database;
  replicas: Array<{ name: string; db: Database }>;
  positions: WritePositions;
  /** A replica further behind than this is skipped. */
  maxLagMs?: number;
  pollIntervalMs?: number;
  log?: (message: string) => void;
  now?: () => number;
}

/** "16/B374D848" (pg_lsn) as a byte offset. */
export function parseLsn(lsn: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn.trim());
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

const CHECK_TIMEOUT_MS = 1_000;

function timeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// The insert position, not pg_current_wal_lsn(): with synchronous_commit=off a commit
// record may still sit in WAL buffers, ahead of the written position.
async function currentLsn(db: Database): Promise<bigint> {
  const rows = await db.withConnection((sql) =>
    sql.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn"),
  );
  return parseLsn(rows[0]!.lsn);
}

async function replayLsn(db: Database): Promise<bigint | null> {
  const rows = await db.withConnection((sql) =>
    sql.query<{ standby: boolean; lsn: string | null }>(
      "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn",
    ),
  );
  const row = rows[0]!;
  // A promoted former replica is a primary now: routing to it would split the data.
  if (!row.standby || row.lsn === null) throw new Error("not a streaming replica");
  return parseLsn(row.lsn);
}

/** A replica's read failed because it went away (or cancelled the query for replay). */
function replicaFailed(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const code = (error as { code?: string; cause?: { code?: string } })?.code;
  return code === "40001" || code === "57P04";
}

interface ReplicaState {
  name: string;
  db: Database;
  up: boolean;
  replayed: bigint | null;
  reads: number;
}

export function createReadReplicas(options: ReadReplicasOptions): ReadReplicas {
  const { primary, positions } = options;
  const maxLagMs = options.maxLagMs ?? 10_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  // Remembered write positions outlive the lag bound: a replica behind an older write is
  // skipped for its lag anyway.
  const positionTtlMs = maxLagMs * 2 + 30_000;
  const replicas: ReplicaState[] = options.replicas.map((r) => ({
    ...r,
    up: false,
    replayed: null,
    reads: 0,
  }));
  // When the primary was seen at which position: a replica's lag is the age of the oldest
  // position it has not replayed.
  const samples: Array<{ at: number; lsn: bigint }> = [];
  let primaryReads = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let next = 0;

  function lagOf(replica: ReplicaState): number {
    if (replica.replayed === null) return Number.POSITIVE_INFINITY;
    const behind = samples.find((s) => s.lsn > replica.replayed!);
    return behind ? now() - behind.at : 0;
  }

  const usable = (replica: ReplicaState) => replica.up && lagOf(replica) <= maxLagMs;

  function markDown(replica: ReplicaState, reason: string) {
    if (replica.up) log(`read replica ${replica.name} skipped: ${reason}`);
    replica.up = false;
  }

  async function check(replica: ReplicaState) {
    try {
      replica.replayed = await timeout(replayLsn(replica.db), CHECK_TIMEOUT_MS);
      if (!replica.up) log(`read replica ${replica.name} in use`);
      replica.up = true;
    } catch (error) {
      markDown(replica, (error as Error).message);
    }
  }

  async function refresh() {
    try {
      const lsn = await timeout(currentLsn(primary), CHECK_TIMEOUT_MS);
      const at = now();
      if (!samples.length || samples.at(-1)!.lsn !== lsn) samples.push({ at, lsn });
      // Keep what can still matter for the lag bound, and the newest sample.
      while (samples.length > 1 && samples[1]!.at < at - maxLagMs * 2) samples.shift();
    } catch {
      // The primary is down: replicas keep their last known lag; reads still work on them.
    }
    await Promise.all(replicas.map(check));
  }

  /** A replica that has replayed `needed`, asking it again when the last check was older. */
  async function pick(needed: bigint | null): Promise<ReplicaState | null> {
    const candidates = replicas.filter(usable);
    if (!candidates.length) return null;
    const start = next++ % candidates.length;
    const ordered = [...candidates.slice(start), ...candidates.slice(0, start)];
    if (needed === null) return ordered[0]!;
    const caughtUp = ordered.find((r) => r.replayed !== null && r.replayed >= needed);
    if (caughtUp) return caughtUp;
    for (const replica of ordered) {
      await check(replica);
      if (replica.up && replica.replayed !== null && replica.replayed >= needed) return replica;
    }
    return null;
  }

  return {
    async withReader(userId, read) {
      if (!replicas.length) return read(primary);
      let needed: bigint | null;
      try {
        needed = await positions.get(userId);
      } catch {
        // Without the user's write position, only the primary is sure to have their writes.
        primaryReads++;
        return read(primary);
      }
      const replica = await pick(needed);
      if (!replica) {
        primaryReads++;
        return read(primary);
      }
      try {
        const result = await read(replica.db);
        replica.reads++;
        return result;
      } catch (error) {
        if (!replicaFailed(error)) throw error;
        markDown(replica, (error as Error).message);
        primaryReads++;
        return read(primary);
      }
    },
    async noteWrite(userId) {
      if (!replicas.length) return;
      try {
        await positions.raise(userId, await currentLsn(primary), positionTtlMs);
      } catch (error) {
        log(`remembering a write position failed: ${(error as Error).message}`);
      }
    },
    status() {
      return [
        ...replicas.map((r) => ({
          name: r.name,
          up: r.up,
          replayed: r.replayed,
          lagMs: lagOf(r),
          usable: usable(r),
          reads: r.reads,
        })),
        {
          name: "primary",
          up: true,
          replayed: samples.at(-1)?.lsn ?? null,
          lagMs: 0,
          usable: true,
          reads: primaryReads,
        },
      ];
    },
    refresh,
    start() {
      if (!replicas.length || timer || closed) return;
      const poll = () => {
        if (closed) return;
        timer = setTimeout(() => void refresh().finally(poll), pollIntervalMs);
        timer.unref();
      };
      void refresh().finally(poll);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      await Promise.all(replicas.map((r) => r.db.close()));
    },
  };
}
