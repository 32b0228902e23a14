// Floor for file transfers: a raw node:http copy to and from disk, no parsing, no
// encryption, no database. POST /api/files writes the body to a file, GET /api/files/:id
// streams it back: what the API's upload and download are compared with.
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { mkdtemp, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { announce } from "./announce";

// The chunk sizes the API's local storage uses (packages/api/src/infra/storage/local.ts),
// so the ratio measures what the API adds, not a difference in how the disk is read.
const CHUNK_BYTES = 1024 * 1024;

const dir = await mkdtemp(path.join(tmpdir(), "parley-bench-files-"));
let next = 0;

const server = http.createServer((req, res) => {
  const fail = () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  };
  if (req.method === "POST") {
    const id = String(++next);
    pipeline(req, createWriteStream(path.join(dir, id), { highWaterMark: CHUNK_BYTES })).then(
      () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ id }));
      },
      fail,
    );
    return;
  }
  const file = path.join(dir, path.basename(req.url ?? ""));
  stat(file)
    .then(({ size }) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
      return pipeline(createReadStream(file, { highWaterMark: CHUNK_BYTES }), res);
    })
    .catch(fail);
});
server.listen(0, "127.0.0.1", () => announce(server));

const cleanup = () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.once("SIGTERM", cleanup);
process.once("SIGINT", cleanup);
