import type { LoadResult } from "../lib/load";
import type { ApiChild, Child } from "../lib/processes";
import type { TargetCheck } from "../lib/report";
import type { SeededData } from "./data";

/** What every Parley scenario gets: the running processes, seeded data, and where to report. */
export interface BenchContext {
  api: ApiChild;
  fixture: Child;
  fixtureTtftMs: number;
  data: SeededData;
  seconds: number;
  connections: number;
  floors: { trpcNoop: LoadResult; nodeHttp: LoadResult };
  /** Markdown sections of the report, in order. */
  sections: string[];
  checks: TargetCheck[];
}

export const fmtMs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–");
export const fmtPct = (v: number) => `${(v * 100).toFixed(0)} %`;
