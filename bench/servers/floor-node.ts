// Floor: the cheapest possible HTTP answer on this machine.
import http from "node:http";
import { announce } from "./announce";

const body = JSON.stringify({ ok: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => announce(server));
