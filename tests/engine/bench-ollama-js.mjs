#!/usr/bin/env node
// Consumes a streamed /api/chat reply with the official `ollama` npm client and reports its
// CPU cost:   node bench-ollama-js.mjs http://127.0.0.1:PORT [MODEL]
// stdout:     cpu_ms: N      (process.cpuUsage user+system during the chat call)
//             tokens: N      (stream parts with content; done line excluded)
//             wall_ms: N
import { Ollama } from "ollama";

const host = process.argv[2] ?? process.env.OLLAMA_HOST ?? "http://127.0.0.1:11434";
const model = process.argv[3] ?? "bench";
const client = new Ollama({ host });
const t0 = performance.now();
const c0 = process.cpuUsage();
let tokens = 0, bytes = 0, done = false;
const stream = await client.chat({ model, stream: true, messages: [{ role: "user", content: "benchmark" }] });
for await (const part of stream) {
  if (part.done) { done = true; continue; }
  tokens++;
  bytes += part.message.content.length;
}
const c = process.cpuUsage(c0);
const wall = performance.now() - t0;
if (!done) { process.stderr.write("stream ended without a done line\n"); process.exitCode = 1; }
process.stdout.write(`cpu_ms: ${Math.round((c.user + c.system) / 1000)}\ntokens: ${tokens}\nwall_ms: ${Math.round(wall)}\n`);
