import { cpus, totalmem } from "node:os";
import type { LoadResult } from "./load";

export interface Row {
  result: LoadResult;
  /** The floor this row is compared with, if any. */
  floor?: LoadResult;
  target?: string;
  /** true/false when the target is checked, undefined when informative only. */
  met?: boolean;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–");
const pct = (v: number) => `${(v * 100).toFixed(0)} %`;

export function table(title: string, rows: Row[]): string {
  const lines = [
    `### ${title}`,
    "",
    "| scenario | req/s | p50 | p99 | errors | vs floor (req/s, p99) | target | met |",
    "|---|---:|---:|---:|---:|---|---|---|",
  ];
  for (const { result: r, floor, target, met } of rows) {
    const ratio = floor
      ? `${pct(r.requestsPerSecond / floor.requestsPerSecond)} of ${floor.name}, ${(r.p99 / floor.p99).toFixed(2)}×`
      : "";
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors + r.non2xx} | ${ratio} | ${target ?? ""} | ${met === undefined ? "" : met ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

export function machine(): string {
  const cpu = cpus();
  return `${new Date().toISOString()} · ${cpu.length} × ${cpu[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version}`;
}
