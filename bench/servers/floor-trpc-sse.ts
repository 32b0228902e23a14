// Floor for open streams: a tRPC subscription over SSE on the same Hono + @hono/trpc-server
// + superjson stack, yielding a tracked `{ delta }` every STREAM_CHUNK_MS and nothing else
// (no model, no database, no bus). What one open stream costs before Parley does any work.
import { serve } from "@hono/node-server";
import { trpcServer } from "@hono/trpc-server";
import { initTRPC, tracked } from "@trpc/server";
import { Hono } from "hono";
import superjson from "superjson";
import { z } from "zod";
import { announce } from "./announce";
import { serveStats } from "./stats";

serveStats();
const chunkMs = Number(process.env.STREAM_CHUNK_MS ?? 250);
// As packages/api/src/core/trpc.ts configures the API: a keep-alive ping on quiet streams.
const pingMs = Number(process.env.STREAM_PING_MS ?? 15_000);
const t = initTRPC.create({
  transformer: superjson,
  sse: pingMs > 0 ? { ping: { enabled: true, intervalMs: pingMs } } : undefined,
});
const router = t.router({
  stream: t.procedure
    .input(z.object({ words: z.number().int().max(100_000) }))
    .subscription(async function* ({ input, signal }) {
      for (let i = 1; i <= input.words && !signal?.aborted; i++) {
        yield tracked(String(i), { delta: `w${i} ` });
        await new Promise((resolve) => setTimeout(resolve, chunkMs));
      }
      yield tracked("end", { status: "complete" });
    }),
});
export type FloorSseRouter = typeof router;
const app = new Hono();
app.use("/trpc/*", trpcServer({ router, endpoint: "/trpc" }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
