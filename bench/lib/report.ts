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

/** "0.12 ms (2.5× floor)" */
function cpu(r: LoadResult, floor?: LoadResult): string {
  if (r.cpuMsPerRequest === undefined) return "";
  const vs = floor?.cpuMsPerRequest
    ? ` (${(r.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(1)}×)`
    : "";
  return `${r.cpuMsPerRequest.toFixed(3)} ms${vs}`;
}

export function table(title: string, rows: Row[]): string {
  const lines = [
    `### ${title}`,
    "",
    "| scenario | req/s | p50 | p99 | errors | server CPU / request | vs floor (req/s, p99) | target | met |",
    "|---|---:|---:|---:|---:|---:|---|---|---|",
  ];
  for (const { result: r, floor, target, met } of rows) {
    const ratio = floor
      ? `${pct(r.requestsPerSecond / floor.requestsPerSecond)} of ${floor.name}, ${(r.p99 / floor.p99).toFixed(2)}×`
      : "";
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors + r.non2xx} | ${cpu(r, floor)} | ${ratio} | ${target ?? ""} | ${met === undefined ? "" : met ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

export function machine(): string {
  const cpu = cpus();
  return `${new Date().toISOString()} · ${cpu.length} × ${cpu[0]?.model ?? "cpu"} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version}`;
}

export interface Figure {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
}

/** For results that are not request rates: memory per stream, first-token overhead. */
export function figures(title: string, rows: Figure[]): string {
  const lines = [`### ${title}`, "", "| measure | value | target | met |", "|---|---:|---|---|"];
  for (const f of rows) {
    lines.push(
      `| ${f.name} | ${f.value} | ${f.target ?? ""} | ${f.met === undefined ? "" : f.met ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

/** A target checked in this run, for the summary at the top of the report. */
export interface TargetCheck {
  target: string;
  figure: string;
  met: boolean;
}

export function summary(checks: TargetCheck[]): string {
  const missed = checks.filter((c) => !c.met);
  const lines = [
    `### Targets: ${checks.length - missed.length} of ${checks.length} met`,
    "",
    ...checks.map((c) => `- ${c.met ? "met" : "**missed**"}: ${c.target} — ${c.figure}`),
  ];
  return lines.join("\n");
}
