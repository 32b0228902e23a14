// `npm run bench:profile -- auth.me chat.conversations.list`: one API process (as in
// `npm run bench`, on DATABASE_URL/REDIS_URL when set) under autocannon on each named read,
// one process and one V8 CPU profile per read, then the profile summed by package and by
// function (self time), so a missed target's time can be found without opening DevTools.
// PROFILE_SECONDS (default 10), PROFILE_CONNECTIONS (default 50), PROFILE_DIR (default a
// temp folder, printed).
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBenchDatabase, startBenchApi, startModelFixture } from "./lib/environment";
import { load } from "./lib/load";
import { seedBenchData } from "./scenarios/data";
import { readTraffic } from "./scenarios/requests";
import type { BenchContext } from "./scenarios/context";

const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 50);
const wanted = process.argv.slice(2);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Self time by package (node_modules/<pkg>, our workspace folders, node internals). */
function where(url: string): string {
  if (!url) return "(native / gc / idle)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return url;
  const m = /\/(apps\/[^/]+|packages\/[^/]+|bench)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

/** `window`: the measured run as [from, to] µs before the profile's end. */
async function summarize(file: string, requests: number, window: [number, number]) {
  const profile = JSON.parse(await readFile(file, "utf8")) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  // Only the samples taken during the measured run (not start-up, warm-up or shutdown).
  const hitsOf = new Map<number, number>();
  const from = profile.endTime - window[0];
  const to = profile.endTime - window[1];
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i]!;
    if (at < from || at > to) return;
    total++;
    hitsOf.set(id, (hitsOf.get(id) ?? 0) + 1);
  });
  const usPerSample = (to - from) / total;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = hitsOf.get(node.id) ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") {
      idle += functionName === "(idle)" ? hits : 0;
      if (functionName === "(idle)") continue;
    }
    const pkg = where(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    const fn = `${functionName || "(anonymous)"} ${where(url)}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  }
  const busy = total - idle;
  const µs = (hits: number) => ((hits * usPerSample) / requests).toFixed(1);
  console.log(
    `  ${requests} requests; busy ${((busy * usPerSample) / 1000).toFixed(0)} ms of ` +
      `${((total * usPerSample) / 1000).toFixed(0)} ms, ${µs(busy)} µs CPU (main thread) per request`,
  );
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, v]) =>
          `    ${µs(v).padStart(7)} µs  ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join("\n");
  console.log("  by package (self time per request):\n" + top(byPackage, 25));
  console.log("  by function:\n" + top(byFunction, 45));
}

async function main() {
  const dir = process.env.PROFILE_DIR ?? (await mkdtemp(path.join(tmpdir(), "parley-profile-")));
  const database = await createBenchDatabase();
  const fixture = await startModelFixture(100);
  try {
    const data = await seedBenchData(database);
    for (const name of wanted) {
      const profDir = path.join(dir, name);
      process.env.BENCH_CPU_PROF = profDir;
      const api = await startBenchApi(database, fixture, { HISTORY_CACHE: "0" });
      delete process.env.BENCH_CPU_PROF;
      let requests = 0;
      let measured: [number, number] = [0, 0];
      try {
        const reads = await readTraffic({ api, data } as BenchContext);
        const traffic = Object.values(reads).find((r) => r.name.startsWith(name));
        if (!traffic) throw new Error(`no read traffic named ${name}`);
        // Warm up (JIT, pools), then measure.
        await load({ ...traffic, connections, durationSeconds: 2 });
        const startedAt = performance.now();
        const result = await load({
          ...traffic,
          connections,
          durationSeconds: seconds,
          serverPid: api.process.pid,
        });
        requests = result.requests;
        measured = [startedAt, performance.now()];
        console.log(
          `${name}: ${result.requestsPerSecond} req/s, p99 ${result.p99} ms, ` +
            `server CPU ${result.cpuMsPerRequest?.toFixed(3)} ms/request`,
        );
      } finally {
        await api.stop();
      }
      const stoppedAt = performance.now();
      const window: [number, number] = [
        (stoppedAt - measured[0]) * 1000,
        (stoppedAt - measured[1]) * 1000,
      ];
      const files = (await readdir(profDir)).filter((f) => f.endsWith(".cpuprofile"));
      // The main thread's profile is the largest; the whole process life is in it (the
      // warm-up and start-up too, so the per-request figures are a little high).
      let largest = "";
      let size = 0;
      for (const f of files) {
        const s = (await readFile(path.join(profDir, f))).length;
        if (s > size) [largest, size] = [f, s];
      }
      console.log(`  profile: ${path.join(profDir, largest)}`);
      await summarize(path.join(profDir, largest), requests, window);
    }
  } finally {
    await fixture.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
