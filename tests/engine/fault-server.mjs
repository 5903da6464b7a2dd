#!/usr/bin/env node
// Hearth fault server: misbehaving Ollama/OpenAI-compatible/Anthropic endpoints for client tests.
// Plain node:http, no dependencies, loopback only.
//
//   node fault-server.mjs [--port N] [--log FILE] [--escapes]
//
// The scenario is chosen by the requested MODEL NAME (an optional ":tag" is ignored), on both
// POST /api/chat (NDJSON, Ollama shapes), POST /v1/chat/completions (SSE, OpenAI shapes) and
// POST /v1/messages (SSE, Anthropic's Messages API events).
// See README.md for the table.  Extra endpoints: GET /api/tags, /api/version, /v1/models,
// GET /_stats, GET /_events, POST /_reset. With --escapes, a model whose name holds terminal escape
// sequences is listed too, and GET /api/ps and POST /api/show answer with such text.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

function die(msg) { process.stderr.write(`fault-server.mjs: ${msg}\n`); process.exit(2); }
const opt = { port: 0, log: null, escapes: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--port") opt.port = Number(process.argv[++i]);
  else if (a === "--log") opt.log = path.resolve(process.argv[++i] ?? die("--log needs a value"));
  else if (a === "--escapes") opt.escapes = true;
  else die(`unknown argument ${a}`);
}
if (!Number.isInteger(opt.port) || opt.port < 0 || opt.port > 65535) die("bad --port");

const SCENARIOS = [
  "ok", "drop-mid-stream", "rate-limit", "rate-limit-always", "busy", "error-500", "error-in-stream",
  "malformed", "split-utf8", "stall", "huge", "markup", "slow", "auth",
  "thinking", "drop-burst", "reset-before-text", "endless", "escapes", "escapes-error",
];
const OK_TEXT = "Hello from the fault server.";
const MARKUP_TEXT = "<b>bold</b> & </span> <i> \u0007 bell, \u202e reversed, %s %n %d {0} $(x) \\n end";
const SPLIT_TEXT = "héllo wörld — 日本語 🙂";
const THINKING_PIECES = ["The user ", "asks why ", "the sky is blue; ", "recall Rayleigh scattering."];
const THINKING_ANSWER = "Short wavelengths scatter more.";
// What a hostile server would send a terminal: OSC 52 (set the clipboard), OSC 0 (the window
// title), CSI 2J (clear the screen), the one-character CSI U+009B, DEL and a carriage return.
const ESCAPES_TEXT = "Before \u001b]52;c;aGFja2Vk\u0007 clip, \u001b]0;pwned\u0007 title, " +
  "\u001b[2J clear, \u009b31m csi, \u007f del, \r return. After";
const ESCAPES_MODEL = "evil\u001b]0;pwned\u0007\u009b31m";

// ---------------------------------------------------------------- state, stats, events
let state = { hits: {} };         // per-scenario request counters (rate-limit / busy)
let stats = { total: 0, paths: {}, models: {} };
let events = [];
function logEvent(obj) {
  const e = { time: new Date().toISOString(), ...obj };
  events.push(e);
  if (events.length > 10000) events.shift();
  if (opt.log) {
    try { fs.appendFileSync(opt.log, JSON.stringify(e) + "\n"); } catch (err) { process.stderr.write(`log: ${err.message}\n`); }
  }
}

// ---------------------------------------------------------------- helpers
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function sendJson(res, status, obj, headers = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
function alive(res) { return !res.destroyed && !res.writableEnded; }
function write(res, data) {
  if (!alive(res)) return Promise.resolve(false);
  if (res.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => { res.off("drain", d); res.off("close", c); resolve(ok); };
    const d = () => done(true), c = () => done(false);
    res.on("drain", d); res.on("close", c);
  });
}
function baseName(model) { const s = String(model ?? ""); const c = s.lastIndexOf(":"); return c > 0 ? s.slice(0, c) : s; }
function chunksOf(text, n) { const cs = [...text], out = []; for (let i = 0; i < cs.length; i += n) out.push(cs.slice(i, i + n).join("")); return out; }
function words(text) { return text.match(/\s*\S+/g) ?? [text]; }

// Anthropic's error types by HTTP status.
function anthropicErrorType(status) {
  return { 400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error",
           413: "request_too_large", 429: "rate_limit_error", 529: "overloaded_error" }[status] ?? "api_error";
}

// Anthropic's Messages API: named SSE events; message_start before the first block, a block per
// kind of text (a thinking block, closed with its signature, then a text block), pings between.
function anthropicFlavour(model, body) {
  const id = `msg_fault${Date.now()}`;
  const ev = (name, o) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...o })}\n\n`;
  let started = false, index = -1, open = null;
  const start = () => {
    if (started) return "";
    started = true;
    return ev("message_start", { message: {
      id, type: "message", role: "assistant", content: [], model, stop_reason: null, stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 1 },
    } }) + ev("ping", {});
  };
  const close = () => {
    if (open === null) return "";
    const sig = open === "thinking" ? ev("content_block_delta", { index, delta: { type: "signature_delta", signature: "c2lnbmF0dXJl" } }) : "";
    open = null;
    return sig + ev("content_block_stop", { index });
  };
  const block = (kind) => {
    if (open === kind) return "";
    const s = close();
    open = kind;
    index++;
    return s + ev("content_block_start", { index, content_block: kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "" } });
  };
  return {
    stream: body.stream === true,
    contentType: "text/event-stream; charset=utf-8",
    delta: (t) => start() + block("text") + ev("content_block_delta", { index, delta: { type: "text_delta", text: t } }),
    thinking: (t) => start() + block("thinking") + ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: t } }),
    final: (n, reason = "stop") => start() + close() +
      ev("message_delta", { delta: { stop_reason: reason === "length" ? "max_tokens" : "end_turn", stop_sequence: null }, usage: { output_tokens: n } }) +
      ev("message_stop", {}),
    // After HTTP 200, as Anthropic's API does when it is overloaded mid-answer.
    streamError: (msg) => ev("error", { error: { type: "overloaded_error", message: msg } }),
    whole: (text, n) => ({
      id, type: "message", role: "assistant", model, content: [{ type: "text", text }],
      stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 5, output_tokens: n },
    }),
    error: (res, status, msg, code, headers) => sendJson(res, status, { type: "error", error: { type: anthropicErrorType(status), message: msg } }, headers),
  };
}

// The API flavour: Ollama NDJSON, OpenAI SSE or Anthropic SSE.
function flavour(kind, model, body) {
  const created = Math.floor(Date.now() / 1000);
  const id = `chatcmpl-fault-${Date.now()}`;
  const usage = !!body.stream_options?.include_usage;
  if (kind === "anthropic") return anthropicFlavour(model, body);
  if (kind === "ollama") {
    return {
      stream: body.stream !== false,
      contentType: "application/x-ndjson",
      delta: (t) => JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: "assistant", content: t }, done: false }) + "\n",
      thinking: (t) => JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: "assistant", content: "", thinking: t }, done: false }) + "\n",
      final: (n, reason = "stop") => JSON.stringify({
        model, created_at: new Date().toISOString(), message: { role: "assistant", content: "" },
        done_reason: reason, done: true, total_duration: 5_000_000 + n * 1000, load_duration: 1_000_000,
        prompt_eval_count: 5, prompt_eval_duration: 1_000_000, eval_count: n, eval_duration: n * 1000 + 1000,
      }) + "\n",
      streamError: (msg) => JSON.stringify({ error: msg }) + "\n",
      whole: (text, n) => ({
        model, created_at: new Date().toISOString(), message: { role: "assistant", content: text },
        done_reason: "stop", done: true, total_duration: 5_000_000, load_duration: 1_000_000,
        prompt_eval_count: 5, prompt_eval_duration: 1_000_000, eval_count: n, eval_duration: n * 1000 + 1000,
      }),
      error: (res, status, msg, code, headers) => sendJson(res, status, { error: msg }, headers),
    };
  }
  const chunk = (delta, finish = null, extra = {}) => `data: ${JSON.stringify({
    id, object: "chat.completion.chunk", created, model, system_fingerprint: "hearth-fault",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra,
  })}\n\n`;
  let first = true;
  return {
    stream: body.stream === true,
    contentType: "text/event-stream",
    delta: (t) => { const d = first ? { role: "assistant", content: t } : { content: t }; first = false; return chunk(d); },
    thinking: (t) => { const d = first ? { role: "assistant", content: null, reasoning_content: t } : { reasoning_content: t }; first = false; return chunk(d); },
    final: (n, reason = "stop") => chunk({}, reason, {
      timings: { prompt_n: 5, prompt_ms: 1, prompt_per_second: 5000, predicted_n: n, predicted_ms: n * 0.001 + 0.001, predicted_per_second: 1000 },
    }) + (usage ? `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: n + 5 } })}\n\n` : "") + "data: [DONE]\n\n",
    streamError: (msg) => `data: ${JSON.stringify({ error: { message: msg, type: "server_error", param: null, code: null } })}\n\n`,
    whole: (text, n) => ({
      id, object: "chat.completion", created, model, system_fingerprint: "hearth-fault",
      choices: [{ index: 0, message: { role: "assistant", content: text }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: n + 5 },
    }),
    error: (res, status, msg, code, headers) => sendJson(res, status,
      { error: { message: msg, type: status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : status === 401 ? "authentication_error" : "invalid_request_error", param: null, code } }, headers),
  };
}

// Streams `pieces` as deltas (or answers them as one JSON object when not streaming).
async function reply(res, f, pieces, { delayMs = 0, finalLine = true } = {}) {
  if (!f.stream) return sendJson(res, 200, f.whole(pieces.join(""), pieces.length));
  res.writeHead(200, { "Content-Type": f.contentType, "Cache-Control": "no-cache" });
  res.flushHeaders();
  for (const p of pieces) {
    if (delayMs) await sleep(delayMs);
    if (!(await write(res, f.delta(p)))) return;
  }
  if (finalLine) { await write(res, f.final(pieces.length)); res.end(); }
}

// ---------------------------------------------------------------- scenarios
async function chat(req, res, kind, body) {
  const model = String(body.model ?? "");
  const scenario = baseName(model);
  const f = flavour(kind, model, body);
  state.hits[scenario] = (state.hits[scenario] ?? 0) + 1;
  const hit = state.hits[scenario];
  switch (scenario) {
    case "ok":
      return reply(res, f, words(OK_TEXT));
    case "drop-mid-stream": {
      res.writeHead(200, { "Content-Type": f.contentType });
      for (const p of ["Partial ", "answer ", "that ", "stops"]) { await write(res, f.delta(p)); await sleep(20); }
      res.serverDropped = true;
      res.destroy(); // no final line, no [DONE]
      return;
    }
    case "drop-burst": {
      // three deltas in one write (one read for the client), then the connection goes
      res.writeHead(200, { "Content-Type": f.contentType });
      await write(res, ["Three ", "quick ", "words"].map((p) => f.delta(p)).join(""));
      await sleep(20);
      res.serverDropped = true;
      res.destroy();
      return;
    }
    case "reset-before-text": {
      // headers, then the connection goes before any of the reply
      res.writeHead(200, { "Content-Type": f.contentType });
      res.flushHeaders();
      await sleep(20);
      res.serverDropped = true;
      res.destroy();
      return;
    }
    case "rate-limit":
      if (hit === 1) return f.error(res, 429, "rate limit exceeded, retry after 1 second", "rate_limit_exceeded", { "Retry-After": "1" });
      return reply(res, f, words(OK_TEXT));
    case "rate-limit-always":
      return f.error(res, 429, "rate limit exceeded, retry after 1 second", "rate_limit_exceeded", { "Retry-After": "1" });
    case "busy":
      // Anthropic's API says so with 529 overloaded_error.
      if (hit === 1 && kind === "anthropic") return f.error(res, 529, "Overloaded", null);
      if (hit === 1) return f.error(res, 503, "server busy, please try again.  maximum pending requests exceeded", "server_busy");
      return reply(res, f, words(OK_TEXT));
    case "error-500":
      if (kind === "ollama") return sendJson(res, 500, { error: "something broke" });
      return f.error(res, 500, "something broke", null);
    case "error-in-stream": {
      res.writeHead(200, { "Content-Type": f.contentType });
      await write(res, f.delta("Before ")); await write(res, f.delta("the crash"));
      await write(res, f.streamError("model crashed"));
      return res.end();
    }
    case "malformed": {
      res.writeHead(200, { "Content-Type": f.contentType });
      await write(res, f.delta("Good ")); await write(res, f.delta("start"));
      await write(res, kind === "ollama" ? "{this is not json at all\n"
        : kind === "anthropic" ? "event: content_block_delta\ndata: {this is not json at all\n\n"
        : "data: {this is not json at all\n\n");
      return res.end();
    }
    case "split-utf8": {
      const pieces = chunksOf(SPLIT_TEXT, 3);
      if (!f.stream) return sendJson(res, 200, f.whole(SPLIT_TEXT, pieces.length));
      res.writeHead(200, { "Content-Type": f.contentType });
      res.flushHeaders();
      const bytes = Buffer.from(pieces.map((p) => f.delta(p)).join("") + f.final(pieces.length), "utf8");
      // 1..5-byte writes: split lines, JSON and every multi-byte character
      let i = 0, k = 0;
      while (i < bytes.length) {
        const n = 1 + (k++ % 5);
        if (!(await write(res, bytes.subarray(i, i + n)))) return;
        i += n;
        await sleep(2);
      }
      return res.end();
    }
    case "stall":
      res.writeHead(200, { "Content-Type": f.contentType });
      res.flushHeaders();
      return new Promise((resolve) => res.on("close", resolve)); // until the client goes
    case "huge": {
      // 4 MiB of text in 64-byte deltas (65,536 deltas)
      const unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ \n"; // 64 bytes
      const pieces = new Array(65536).fill(unit);
      return reply(res, f, pieces);
    }
    case "markup":
      return reply(res, f, chunksOf(MARKUP_TEXT, 4));
    case "slow":
      return reply(res, f, Array.from({ length: 200 }, (_, i) => `t${i} `), { delayMs: 50 });
    case "escapes":
      return reply(res, f, chunksOf(ESCAPES_TEXT, 5));
    case "escapes-error":
      return f.error(res, 500, ESCAPES_TEXT, null);
    case "thinking": {
      // reasoning deltas first (Ollama message.thinking / OpenAI delta.reasoning_content), then the answer
      const answer = words(THINKING_ANSWER);
      if (!f.stream) return sendJson(res, 200, f.whole(THINKING_ANSWER, answer.length));
      res.writeHead(200, { "Content-Type": f.contentType, "Cache-Control": "no-cache" });
      res.flushHeaders();
      for (const p of THINKING_PIECES) { if (!(await write(res, f.thinking(p)))) return; await sleep(10); }
      for (const p of answer) { if (!(await write(res, f.delta(p)))) return; await sleep(10); }
      await write(res, f.final(THINKING_PIECES.length + answer.length));
      return res.end();
    }
    case "endless": {
      // 2 MiB at once, then a word every 20 ms until the client goes
      if (!f.stream) return sendJson(res, 200, f.whole("endless", 1));
      res.writeHead(200, { "Content-Type": f.contentType, "Cache-Control": "no-cache" });
      res.flushHeaders();
      const line = "All work and no play makes a long reply. ".repeat(25);
      for (let sent = 0; sent < 2 * 1024 * 1024; sent += line.length) if (!(await write(res, f.delta(line)))) return;
      for (let i = 0; alive(res); i++) { if (!(await write(res, f.delta(`w${i} `)))) return; await sleep(20); }
      return;
    }
    case "auth":
      if (kind === "anthropic" && req.headers["x-api-key"] !== "sekrit") {
        return f.error(res, 401, "invalid x-api-key", null);
      }
      if (kind !== "anthropic" && req.headers.authorization !== "Bearer sekrit") {
        return f.error(res, 401, kind === "ollama" ? "unauthorized" : "Incorrect API key provided", "invalid_api_key",
          { "WWW-Authenticate": 'Bearer realm="hearth-fault"' });
      }
      return reply(res, f, words(OK_TEXT));
    default:
      if (kind === "anthropic") return f.error(res, 404, `model: ${model}`, null);
      return f.error(res, 404, `model "${model}" not found, try pulling it first`, "model_not_found");
  }
}

function listed() { return opt.escapes ? [...SCENARIOS, ESCAPES_MODEL] : SCENARIOS; }

// ---------------------------------------------------------------- router
async function readBody(req) { const c = []; for await (const x of req) c.push(x); return Buffer.concat(c).toString("utf8"); }

const server = http.createServer({ noDelay: true }, async (req, res) => {
  const p = new URL(req.url, "http://127.0.0.1").pathname;
  let model = null;
  res.on("close", () => {
    if (res.serverDropped) logEvent({ event: "server-dropped", method: req.method, path: p, model, scenario: baseName(model) });
    else if (!res.writableFinished) logEvent({ event: "client-closed", method: req.method, path: p, model, scenario: baseName(model) });
  });
  try {
    let body = {};
    if (req.method === "POST") {
      const raw = await readBody(req);
      try { body = raw.trim() ? JSON.parse(raw) : {}; } catch { body = null; }
    }
    if (body && typeof body.model === "string") model = body.model;
    if (!p.startsWith("/_")) {
      stats.total++;
      stats.paths[p] = (stats.paths[p] ?? 0) + 1;
      if (model) stats.models[model] = (stats.models[model] ?? 0) + 1;
      logEvent({ event: "request", method: req.method, path: p, model });
    }
    if (body === null || (req.method === "POST" && (typeof body !== "object" || Array.isArray(body)))) {
      return p.startsWith("/v1/")
        ? sendJson(res, 400, { error: { message: "invalid JSON body", type: "invalid_request_error", param: null, code: null } })
        : sendJson(res, 400, { error: "invalid JSON body" });
    }
    const route = `${req.method} ${p}`;
    switch (route) {
      case "GET /": return res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }), res.end("Ollama is running");
      case "GET /api/version": return sendJson(res, 200, { version: "0.0.0-hearth-fault" });
      case "GET /api/tags": return sendJson(res, 200, {
        models: listed().map((n) => ({
          name: `${n}:latest`, model: `${n}:latest`, modified_at: "2025-01-01T00:00:00Z", size: 1000,
          digest: "0".repeat(64),
          details: { parent_model: "", format: "gguf", family: "fault", families: ["fault"], parameter_size: "0", quantization_level: "F32" },
        })),
      });
      case "GET /v1/models":
        if (req.headers["anthropic-version"] !== undefined) {
          const data = listed().map((n) => ({ type: "model", id: n, display_name: `Fault: ${n}`, created_at: "2025-01-01T00:00:00Z" }));
          return sendJson(res, 200, { data, has_more: false, first_id: data[0].id, last_id: data.at(-1).id });
        }
        return sendJson(res, 200, {
        object: "list", data: listed().map((n) => ({ id: n, object: "model", created: 1735689600, owned_by: "hearth-fault" })),
      });
      case "POST /api/chat": return await chat(req, res, "ollama", body);
      case "POST /v1/chat/completions": return await chat(req, res, "openai", body);
      case "POST /v1/messages": return await chat(req, res, "anthropic", body);
      case "GET /api/ps": if (opt.escapes) return sendJson(res, 200, { models: [{
        name: `${ESCAPES_MODEL}:latest`, model: `${ESCAPES_MODEL}:latest`, size: 1000, size_vram: 500,
        digest: "0".repeat(64), expires_at: ESCAPES_TEXT, context_length: 2048,
        details: { family: ESCAPES_TEXT, parameter_size: "0", quantization_level: "F32" },
      }] }); break;
      case "POST /api/show": if (opt.escapes) return sendJson(res, 200, {
        license: ESCAPES_TEXT, details: { family: ESCAPES_TEXT, format: "gguf", parameter_size: ESCAPES_TEXT,
          quantization_level: "F32" }, model_info: { "general.architecture": "llama" },
        capabilities: ["completion", ESCAPES_TEXT],
      }); break;
      case "GET /_stats": return sendJson(res, 200, stats);
      case "GET /_events": return sendJson(res, 200, { events });
      case "POST /_reset":
        state = { hits: {} }; stats = { total: 0, paths: {}, models: {} }; events = [];
        return sendJson(res, 200, { ok: true });
    }
    // everything else, and /api/ps and /api/show without --escapes
    return p.startsWith("/v1/")
      ? sendJson(res, 404, { error: { message: `unknown endpoint ${route}`, type: "invalid_request_error", param: null, code: "not_found" } })
      : (res.writeHead(404, { "Content-Type": "text/plain" }), res.end("404 page not found"));
  } catch (e) {
    process.stderr.write(`${req.method} ${p}: ${e.stack || e}\n`);
    if (!res.headersSent) sendJson(res, 500, { error: String(e.message) }); else res.destroy();
  }
});

server.listen(opt.port, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
server.on("error", (e) => { process.stderr.write(`fault-server.mjs: ${e.message}\n`); process.exit(1); });
const shutdown = () => { server.close(); server.closeAllConnections(); process.exit(0); };
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
