// Floor: Hono on @hono/node-server, the stack the API uses, with no work per request.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "./announce";

const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
