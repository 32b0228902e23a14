// `npm run bench`: measures floors and Parley on this machine and writes a Markdown report
// to bench/results/. BENCH_SECONDS shortens or lengthens each load run (default 10);
// BENCH_CONNECTIONS sets the connections of the throughput runs (default 200);
// BENCH_ONLY=requests,cache,paging,search,first-token,v1,flood,connections,streams,files,users runs a
// subset of the Parley sections (floors always run: every ratio needs them); BENCH_USERS and
// BENCH_USERS_SECONDS size the users section (1,000 users for 180 s);
// BENCH_RESULTS_DIR writes the report elsewhere (trial runs).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createBenchDatabase, startBenchApi, startModelFixture } from "./lib/environment";
import { machine, summary, table, type Row } from "./lib/report";
import { repoRoot } from "./lib/processes";
import type { BenchContext } from "./scenarios/context";
import { seedBenchData } from "./scenarios/data";
import { measureFiles } from "./scenarios/files";
import { measureFloors, measureSqlFloors } from "./scenarios/floors";
import { measureHistoryCache } from "./scenarios/cache";
import { measureOpenAIFirstToken } from "./scenarios/openai";
import { measurePaging } from "./scenarios/paging";
import { measureSearch } from "./scenarios/search";
import { measureConcurrentStreams, measureFirstToken } from "./scenarios/streaming";
import { measureLoginFlood, measureThousandConnections } from "./scenarios/pressure";
import { measureRequests, readTraffic } from "./scenarios/requests";
import { measureThousandUsers } from "./scenarios/users";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const enabled = (section: string) => !only || only.includes(section);
/** Concurrent streams and how often each gets a chunk (BENCH_STREAMS, BENCH_STREAM_CHUNK_MS). */
const streamCount = Number(process.env.BENCH_STREAMS ?? 1_000);
const streamChunkMs = Number(process.env.BENCH_STREAM_CHUNK_MS ?? 1_000);
/** The model fixture's set time to first token: what chat.send's first token is compared with. */
const fixtureTtftMs = 100;
const crowd = {
  users: Number(process.env.BENCH_USERS ?? 1_000),
  seconds: Number(process.env.BENCH_USERS_SECONDS ?? 180),
};

/** What to undo if the run is interrupted (Ctrl-C, a timeout's SIGTERM): the scratch
 * database above all. Child processes are killed on exit by @parley/testing. */
const cleanups = new Set<() => Promise<void>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).finally(() =>
      process.exit(130),
    );
  });
}

async function main() {
  const started = Date.now();
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

  const database = await createBenchDatabase();
  const dropDatabase = () => database.drop();
  cleanups.add(dropDatabase);
  const fixture = await startModelFixture(fixtureTtftMs);
  const checks: BenchContext["checks"] = [];
  try {
    console.log(`seeding ${database.kind} database`);
    const data = await seedBenchData(database);
    const sqlFloors = await measureSqlFloors(
      database.env.DATABASE_URL || undefined,
      { userId: data.reader.id, conversationId: data.readerHistoryId },
      seconds,
      connections,
    );
    if (sqlFloors) {
      sections.push(
        table("Raw-SQL floors (the list procedures' rows, same database)", [
          { result: sqlFloors.conversationsList },
          { result: sqlFloors.messagesList },
        ]),
        "",
      );
    }
    // Without the history cache: the list and paging rows measure the procedures reading the
    // database, as their raw-SQL floors do; the cache has its own section.
    const api = await startBenchApi(database, fixture, { HISTORY_CACHE: "0" });
    sections.push(
      `API: one process on ${database.kind === "postgres" ? "PostgreSQL" : "embedded PGlite"}` +
        `${process.env.REDIS_URL ? " and Redis" : " with in-process caches (no REDIS_URL)"}, ` +
        `HISTORY_CACHE=0 except in the history cache section; ` +
        `load from the bench process with autocannon, ${seconds} s per run.`,
      "",
    );
    const databaseUrl = database.env.DATABASE_URL || undefined;
    const ctx: BenchContext = {
      api,
      fixture,
      fixtureTtftMs,
      databaseUrl,
      data,
      seconds,
      connections,
      floors,
      sqlFloors,
      sections,
      checks,
    };
    try {
      // Without the throughput runs (BENCH_ONLY), the flood assumes modest capacities.
      const measured = enabled("requests") ? await measureRequests(ctx) : undefined;
      const reads = await readTraffic(ctx);
      if (enabled("cache")) await measureHistoryCache(ctx, database, fixture);
      if (enabled("paging")) await measurePaging(ctx);
      if (enabled("search")) await measureSearch(ctx);
      if (enabled("first-token")) await measureFirstToken(ctx, Math.max(20, seconds * 5));
      if (enabled("v1")) await measureOpenAIFirstToken(ctx, Math.max(20, seconds * 5));
      if (enabled("flood")) {
        await measureLoginFlood(ctx, [
          { traffic: reads.authMe, capacity: measured?.authMe.requestsPerSecond ?? 1_000 },
          {
            traffic: reads.conversationsList,
            capacity: measured?.conversationsList.requestsPerSecond ?? 400,
          },
        ]);
      }
      if (enabled("connections")) await measureThousandConnections(ctx, reads.authMe);
      if (enabled("streams")) await measureConcurrentStreams(ctx, streamCount, streamChunkMs);
      if (enabled("files")) await measureFiles(ctx);
    } finally {
      await api.stop();
    }
  } finally {
    await fixture.stop();
    cleanups.delete(dropDatabase);
    await database.drop();
  }
  // Its own cluster (three replicas, nginx, a private Postgres and Redis), once the single
  // API and its database are gone.
  if (enabled("users")) {
    console.log(`${crowd.users} users for ${crowd.seconds} s on three replicas`);
    await measureThousandUsers({ sections, checks }, crowd);
  }

  sections.splice(3, 0, summary(checks), "");
  sections.push(`Total bench time: ${Math.round((Date.now() - started) / 1000)} s.`);
  const report = sections.join("\n");
  console.log(report);
  const dir = process.env.BENCH_RESULTS_DIR ?? path.join(repoRoot, "bench", "results");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.md`);
  await writeFile(file, report + "\n");
  console.log(`written to ${path.relative(repoRoot, file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
