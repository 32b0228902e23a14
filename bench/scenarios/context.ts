import type { LoadResult } from "../lib/load";
import type { ApiChild, Child } from "../lib/processes";
import type { TargetCheck } from "../lib/report";
import type { SeededData } from "./data";

/** What every Parley scenario gets: the running processes, seeded data, and where to report. */
export interface BenchContext {
  api: ApiChild;
  fixture: Child;
  fixtureTtftMs: number;
  /** The API's Postgres database, when it runs on Postgres (for its activity counters). */
  databaseUrl?: string;
  data: SeededData;
  seconds: number;
  connections: number;
  floors: { trpcNoop: LoadResult; nodeHttp: LoadResult };
  /** The list procedures' raw-SQL floors; absent on PGlite (one process only). */
  sqlFloors?: { conversationsList: LoadResult; messagesList: LoadResult };
  /** Markdown sections of the report, in order. */
  sections: string[];
  checks: TargetCheck[];
}

/** A signed-in read procedure to put under load: what the scenarios keep busy. */
export interface ReadTraffic {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export const fmtMs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–");
export const fmtPct = (v: number) => `${(v * 100).toFixed(0)} %`;

export const clean = (r: LoadResult) => r.errors === 0 && r.non2xx === 0;

/** ", 12 failed (10 × ECONNRESET, 2 × HTTP 503)", or nothing when all went well. */
export function errorsNote(r: LoadResult): string {
  if (clean(r)) return "";
  const failedStatuses = Object.entries(r.statuses ?? {}).filter(([code]) => !code.startsWith("2"));
  const kinds = [
    ...Object.entries(r.errorKinds ?? {}),
    ...failedStatuses.map(([code, n]): [string, number] => [`HTTP ${code}`, n]),
  ];
  return `, ${r.errors + r.non2xx} failed (${kinds.map(([kind, n]) => `${n} × ${kind}`).join(", ")})`;
}

/** Server CPU per request against the floor's: the ratio least disturbed by a busy machine. */
export function cpuNote(r: LoadResult, floor: LoadResult): string {
  if (r.cpuMsPerRequest === undefined || !floor.cpuMsPerRequest) return "";
  const ratio = (r.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(1);
  return `; server CPU ${r.cpuMsPerRequest.toFixed(3)} ms/request, ${ratio}× the floor's`;
}
