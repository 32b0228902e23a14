// `npm run bench`: measures floors and Parley on this machine and writes a Markdown table
// to bench/results/. BENCH_SECONDS shortens or lengthens each load run (default 10).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { machine, table, type Row } from "./lib/report";
import { repoRoot } from "./lib/processes";
import { measureFloors } from "./scenarios/floors";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);

async function main() {
  const sections: string[] = [`# Parley benchmark`, "", machine(), ""];
  console.log(`floors: ${seconds}s per run at ${connections} connections`);
  const floors = await measureFloors(seconds, connections);
  const floorRows: Row[] = [
    { result: floors.nodeHttp },
    { result: floors.hono, floor: floors.nodeHttp },
    { result: floors.trpcNoop, floor: floors.nodeHttp },
    ...(floors.postgres ? [{ result: floors.postgres }] : []),
  ];
  sections.push(table("Floors", floorRows), "");
  const report = sections.join("\n");
  console.log(report);
  const dir = path.join(repoRoot, "bench", "results");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.md`);
  await writeFile(file, report + "\n");
  console.log(`written to ${path.relative(repoRoot, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
