// Floor for the list procedures: hand-written node:http + pg, serving as JSON exactly the
// rows chat.conversations.list and chat.messages.list return, through the same statements
// (packages/db/src/queries/chat-reads.ts) on a pool of the API's size. What the database
// and Node can do for these reads on this machine, with no framework, auth or logging.
import http from "node:http";
import pg from "pg";
import { LIST_CONVERSATIONS_SQL, LIST_OLDER_MESSAGES_SQL } from "@parley/db/chat-reads";
import { announce } from "./announce";

const userId = process.env.FLOOR_USER_ID!;
const conversationId = process.env.FLOOR_CONVERSATION_ID!;
const limit = 50;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

const routes: Record<string, () => Promise<unknown>> = {
  "/conversations": async () => {
    const { rows } = await pool.query(LIST_CONVERSATIONS_SQL, [
      userId,
      false,
      null,
      null,
      null,
      limit + 1,
      false,
      null,
    ]);
    return { items: rows.slice(0, limit), more: rows.length > limit };
  },
  "/messages": async () => {
    const { rows } = await pool.query(LIST_OLDER_MESSAGES_SQL, [
      conversationId,
      userId,
      null,
      limit + 1,
    ]);
    return { items: rows.length > limit ? rows.slice(1) : rows, more: rows.length > limit };
  },
};

const server = http.createServer((req, res) => {
  const route = routes[req.url ?? ""];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  route().then(
    (result) => {
      const body = JSON.stringify(result);
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    },
    (error: Error) => {
      res.writeHead(500).end(error.message);
    },
  );
});
server.listen(0, "127.0.0.1", () => announce(server));
