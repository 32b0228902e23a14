import { request } from "node:http";
import { processCpuSeconds } from "../lib/load";
import { startChild } from "../lib/processes";
import { figures } from "../lib/report";
import type { BenchContext } from "./context";
import { signIn } from "./data";

const FILE_BYTES = 20 * 1024 * 1024;
/** Measured rounds, after one warm-up round each way that is not counted. */
const ROUNDS = 5;
const CONCURRENT = 10;
const BOUNDARY = "----parley-bench-boundary";

/** One multipart body holding a 20 MB text file, built once and sent as is to both servers. */
function multipartBody(): Buffer {
  const line = Buffer.from("Parley streams uploads to storage without holding them.\n");
  const content = Buffer.alloc(FILE_BYTES);
  for (let at = 0; at < FILE_BYTES; at += line.length) line.copy(content, at);
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

function send(
  base: string,
  options: { method: "POST" | "GET"; path: string; token?: string; body?: Buffer },
): Promise<{ status: number; text: string; bytes: number; ms: number }> {
  const url = new URL(options.path, base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body
            ? {
                "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
                "content-length": String(options.body.length),
              }
            : {}),
        },
      },
      (res) => {
        let bytes = 0;
        const small: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (options.method === "POST") small.push(chunk);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(small).toString("utf8"),
            bytes,
            ms: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const mbPerSecond = (bytes: number, ms: number) => bytes / 2 ** 20 / (ms / 1000);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU milliseconds (all threads) process `pid` spent while `work` ran; NaN off Linux. */
async function cpuMsOf<T>(pid: number, work: () => Promise<T>): Promise<[T, number]> {
  const before = processCpuSeconds(pid);
  const result = await work();
  const after = processCpuSeconds(pid);
  return [result, before === undefined || after === undefined ? NaN : (after - before) * 1000];
}

/** One upload then one download of the file: the throughput of each, in MB/s, and the CPU
 * the server spent on each. */
async function transfer(server: { url: string; pid: number }, body: Buffer, token?: string) {
  const [posted, uploadCpuMs] = await cpuMsOf(server.pid, () =>
    send(server.url, { method: "POST", path: "/api/files", body, ...(token ? { token } : {}) }),
  );
  if (posted.status !== 201) throw new Error(`upload answered ${posted.status}: ${posted.text}`);
  const { id } = JSON.parse(posted.text) as { id: string };
  const [got, downloadCpuMs] = await cpuMsOf(server.pid, () =>
    send(server.url, { method: "GET", path: `/api/files/${id}`, ...(token ? { token } : {}) }),
  );
  if (got.status !== 200 || got.bytes < FILE_BYTES)
    throw new Error(`download answered ${got.status} with ${got.bytes} bytes`);
  return {
    upload: mbPerSecond(FILE_BYTES, posted.ms),
    download: mbPerSecond(FILE_BYTES, got.ms),
    uploadCpuMs,
    downloadCpuMs,
  };
}

type Figures = { upload: number; download: number; uploadCpuMs: number; downloadCpuMs: number };

/**
 * The floor and the API take turns, round by round, so that both see the same load on a
 * shared machine (measured one after the other, a burst of others' work lands on one of
 * them only); the median of each. The CPU each server spends per transfer hardly depends
 * on that load, so it is the figure to compare between runs.
 */
async function compare(
  floorServer: { url: string; pid: number },
  apiServer: { url: string; pid: number },
  body: Buffer,
  token: string,
): Promise<{ floor: Figures; api: Figures }> {
  await transfer(floorServer, body);
  await transfer(apiServer, body, token);
  const floor: Figures[] = [];
  const api: Figures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    floor.push(await transfer(floorServer, body));
    api.push(await transfer(apiServer, body, token));
  }
  const medians = (rounds: Figures[]): Figures => ({
    upload: median(rounds.map((r) => r.upload)),
    download: median(rounds.map((r) => r.download)),
    uploadCpuMs: median(rounds.map((r) => r.uploadCpuMs)),
    downloadCpuMs: median(rounds.map((r) => r.downloadCpuMs)),
  });
  return { floor: medians(floor), api: medians(api) };
}

/**
 * 20 MB through POST /api/files and GET /api/files/:id (multipart parsing, type check,
 * encryption, the database row; local disk storage) against a raw node:http copy to disk in
 * the same run, then the API's RSS while 10 such uploads run at once.
 */
export async function measureFiles(ctx: BenchContext): Promise<void> {
  const body = multipartBody();
  const token = await signIn(ctx.api.url, ctx.data.firstTokenUsers[0]!);
  const floorServer = await startChild("bench/servers/floor-files.ts");
  let floor: Figures;
  let api: Figures;
  try {
    ({ floor, api } = await compare(
      { url: floorServer.url, pid: floorServer.process.pid! },
      { url: ctx.api.url, pid: ctx.api.process.pid! },
      body,
      token,
    ));
  } finally {
    await floorServer.stop();
  }
  const uploadRatio = api.upload / floor.upload;
  const downloadRatio = api.download / floor.download;

  const before = await ctx.api.stats({ gc: true });
  let peak = before.rss;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await ctx.api.stats()).rss);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, () =>
      send(ctx.api.url, { method: "POST", path: "/api/files", token, body }),
    ),
  ).finally(() => {
    sampling = false;
  });
  const concurrentMs = performance.now() - started;
  await sampler;
  const after = await ctx.api.stats({ gc: true });
  const failed = results.filter((r) => r.status !== 201);
  const growth = peak - before.rss;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const rate = (v: number) => `${v.toFixed(0)} MB/s`;

  const uploadMet = uploadRatio >= 0.5;
  const downloadMet = downloadRatio >= 0.5;
  const memoryMet = growth < 64 * 2 ** 20 && failed.length === 0;
  ctx.checks.push(
    {
      target: "20 MB upload ≥ 50 % of a raw node:http copy",
      figure: `${(uploadRatio * 100).toFixed(0)} % (${rate(api.upload)} vs ${rate(floor.upload)})`,
      met: uploadMet,
    },
    {
      target: "20 MB download ≥ 50 % of a raw node:http copy",
      figure: `${(downloadRatio * 100).toFixed(0)} % (${rate(api.download)} vs ${rate(floor.download)})`,
      met: downloadMet,
    },
    {
      target: `RSS growth during ${CONCURRENT} concurrent 20 MB uploads < 64 MB`,
      figure: `${mb(growth)}${failed.length ? `, ${failed.length} uploads failed` : ""}`,
      met: memoryMet,
    },
  );
  ctx.sections.push(
    figures(
      `Files: 20 MB text file, median of ${ROUNDS} transfers each way (the floor and the API taking turns, after a warm-up), then ${CONCURRENT} concurrent uploads (local disk storage, encrypted)`,
      [
        {
          name: "raw node:http copy to disk: upload / download",
          value: `${rate(floor.upload)} / ${rate(floor.download)}`,
        },
        {
          name: "through the API: upload / download",
          value: `${rate(api.upload)} / ${rate(api.download)}`,
        },
        {
          name: "server CPU per 20 MB upload / download: raw copy",
          value: `${floor.uploadCpuMs.toFixed(0)} ms / ${floor.downloadCpuMs.toFixed(0)} ms`,
        },
        {
          name: "server CPU per 20 MB upload / download: the API",
          value: `${api.uploadCpuMs.toFixed(0)} ms / ${api.downloadCpuMs.toFixed(0)} ms`,
        },
        {
          name: "upload vs the copy",
          value: `${(uploadRatio * 100).toFixed(0)} %`,
          target: "≥ 50 %",
          met: uploadMet,
        },
        {
          name: "download vs the copy",
          value: `${(downloadRatio * 100).toFixed(0)} %`,
          target: "≥ 50 %",
          met: downloadMet,
        },
        {
          name: `API RSS before / peak during ${CONCURRENT} concurrent uploads / after (GC)`,
          value: `${mb(before.rss)} / ${mb(peak)} / ${mb(after.rss)}`,
        },
        { name: "RSS growth at the peak", value: mb(growth), target: "< 64 MB", met: memoryMet },
        {
          name: `${CONCURRENT} concurrent uploads: all stored in`,
          value: `${(concurrentMs / 1000).toFixed(1)} s${failed.length ? `; ${failed.length} failed: ${failed[0]!.status} ${failed[0]!.text.slice(0, 120)}` : ""}`,
        },
      ],
    ),
    "",
  );
}
