/**
 * Where in the primary's WAL each user's last write ended, shared by every replica: a
 * user's history reads go to a read replica only once it has replayed past that point
 * (read-your-writes). Positions are byte offsets (pg_lsn as a number); an entry older than
 * `ttlMs` is forgotten, since no replica that lags that far is read from anyway.
 */
export interface WritePositions {
  /** The user's last write position, or null when none is remembered. */
  get(userId: string): Promise<bigint | null>;
  /** Remembers `position` unless a later one is already kept (writes on two replicas may
   * report out of order). */
  raise(userId: string, position: bigint, ttlMs: number): Promise<void>;
}
