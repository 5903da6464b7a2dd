#!/usr/bin/env node
// Benchmark server: POST /api/chat answers a fixed NDJSON stream of 10,000 tokens (model "bench")
// as fast as possible from precomputed lines; GET /api/tags lists "bench:latest".  Same
// start-line contract as server.mjs:
//   node bench-ndjson-server.mjs [--port N] [--lines-per-write N] [--tokens N] [--code|--paragraphs]
//   -> "listening on http://127.0.0.1:PORT"
// By default every line is its own write (as Ollama flushes per token); --lines-per-write
// batches lines to take the server's own cost out of the measurement.  --tokens changes the
// length; --code makes the reply one giant fenced code block; --paragraphs breaks the prose
// into paragraphs of 80 tokens, as a model's reply is (without it, it is one paragraph).
import http from "node:http";

let TOKENS = 10000, CODE = false, PARAGRAPHS = false;
let port = 0, BATCH = 1;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === "--port") port = Number(process.argv[++i]);
  else if (process.argv[i] === "--log") i++; // accepted for the common contract; nothing to log
  else if (process.argv[i] === "--tokens") TOKENS = Math.max(1, Number(process.argv[++i]) || 10000);
  else if (process.argv[i] === "--code") CODE = true;
  else if (process.argv[i] === "--paragraphs") PARAGRAPHS = true;
  else if (process.argv[i] === "--lines-per-write") BATCH = Math.max(1, Number(process.argv[++i]) || 1);
  else { process.stderr.write(`bench-ndjson-server.mjs: unknown argument ${process.argv[i]}\n`); process.exit(2); }
}
const WORDS = ["The", " sky", " is", " blue", " because", " air", " scatters", " light", " more", " than", " red", ".", " ", "\n"];
const CODE_WORDS = ["for", " (", "i", " =", " 0", ";", " i", " <", " n", ";", " i", "++)", "\n", "  ", "sum", " +=", " x", "[i]", ";", "\n"];
const created = "2025-01-01T00:00:00.000000000Z";
const lines = [];
const token = (content) => JSON.stringify({ model: "bench", created_at: created, message: { role: "assistant", content }, done: false }) + "\n";
for (let i = 0; i < TOKENS; i++) {
  if (CODE && i === 0) lines.push(token("Here it is:\n\n```c\n"));
  else if (CODE && i === TOKENS - 1) lines.push(token("\n```\n"));
  else if (PARAGRAPHS && i % 80 === 79) lines.push(token("\n\n"));
  else lines.push(token((CODE ? CODE_WORDS : WORDS)[i % (CODE ? CODE_WORDS : WORDS).length]));
}
lines.push(JSON.stringify({
  model: "bench", created_at: created, message: { role: "assistant", content: "" }, done_reason: "length", done: true,
  total_duration: 1_000_000_000, load_duration: 1_000_000, prompt_eval_count: 10, prompt_eval_duration: 1_000_000,
  eval_count: TOKENS, eval_duration: 998_000_000,
}) + "\n");
const chunks = [];
for (let i = 0; i < lines.length; i += BATCH) chunks.push(Buffer.from(lines.slice(i, i + BATCH).join(""), "utf8"));

const server = http.createServer({ noDelay: true }, (req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method === "POST" && req.url.startsWith("/api/chat")) {
      res.writeHead(200, { "Content-Type": "application/x-ndjson" });
      let i = 0;
      const pump = () => {
        while (i < chunks.length) { if (!res.write(chunks[i++])) return res.once("drain", pump); }
        res.end();
      };
      return pump();
    }
    if (req.url === "/api/tags") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ models: [{ name: "bench:latest", model: "bench:latest", modified_at: created, size: 1000, digest: "0".repeat(64), details: { format: "gguf", family: "bench", parameter_size: "0", quantization_level: "F32" } }] }));
    }
    if (req.url === "/api/version") { res.writeHead(200, { "Content-Type": "application/json" }); return res.end('{"version":"0.0.0-hearth-bench"}'); }
    if (req.url === "/") { res.writeHead(200); return res.end("Ollama is running"); }
    res.writeHead(404); res.end("404 page not found");
  });
});
server.listen(port, "127.0.0.1", () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
const shutdown = () => { server.close(); server.closeAllConnections(); process.exit(0); };
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
