import type { AppDeps } from "../../core/context";

/** What this feature reads of AppDeps. */
export type HealthDeps = Pick<AppDeps, "db">;

export async function ping(deps: HealthDeps) {
  await deps.db.ping();
  return { ok: true as const, database: deps.db.kind, time: new Date() };
}
