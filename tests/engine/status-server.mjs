#!/usr/bin/env node
// A server that answers every request with the status it is told, after the delay it is told:
// for the health of servers (up, slow, refusing, failing).  Plain node:http, loopback only.
//
//   node status-server.mjs [--port N] [--log FILE] [--status 200]
//
// POST /_set?status=N&delay=MS changes both; GET /_stats counts requests and says whether the
// last one carried an Authorization or x-api-key header (never the header's value).
import http from "node:http";

const opt = { port: 0, status: 200, delay: 0 };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--port") opt.port = Number(process.argv[++i]);
  else if (a === "--log") i++;
  else if (a === "--status") opt.status = Number(process.argv[++i]);
  else { process.stderr.write(`status-server.mjs: unknown argument ${a}\n`); process.exit(2); }
}
const stats = { total: 0, paths: {}, authorized: false };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const send = (status, body) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === "/_set") {
    opt.status = Number(url.searchParams.get("status") ?? opt.status);
    opt.delay = Number(url.searchParams.get("delay") ?? 0);
    return send(200, { ok: true });
  }
  if (url.pathname === "/_stats") return send(200, stats);
  stats.total++;
  stats.paths[url.pathname] = (stats.paths[url.pathname] ?? 0) + 1;
  stats.authorized = Boolean(req.headers.authorization || req.headers["x-api-key"]);
  setTimeout(() => {
    if (opt.status !== 200)
      return send(opt.status, { error: { message: `status ${opt.status}`, type: "status_server" } });
    switch (url.pathname) {
      case "/api/version": return send(200, { version: "0.0.0-status" });
      case "/api/tags": return send(200, { models: [{ name: "tiny:latest", model: "tiny:latest", size: 1 }] });
      case "/v1/models": return send(200, { object: "list", data: [{ id: "tiny", object: "model" }] });
      default: return send(404, { error: { message: "not found" } });
    }
  }, opt.delay);
});
server.listen(opt.port, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
