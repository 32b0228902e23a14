import type { AppDeps } from "../../core/context";

export async function ping(deps: AppDeps) {
  await deps.db.ping();
  return { ok: true as const, database: deps.db.kind, time: new Date() };
}
