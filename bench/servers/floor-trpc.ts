// Floor: a tRPC no-op procedure on the same Hono + @hono/trpc-server + superjson stack.
import { serve } from "@hono/node-server";
import { trpcServer } from "@hono/trpc-server";
import { initTRPC } from "@trpc/server";
import { Hono } from "hono";
import superjson from "superjson";
import { announce } from "./announce";

const t = initTRPC.create({ transformer: superjson });
const router = t.router({ noop: t.procedure.query(() => ({ ok: true })) });
const app = new Hono();
app.use("/trpc/*", trpcServer({ router, endpoint: "/trpc" }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
