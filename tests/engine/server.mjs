#!/usr/bin/env node
// Hearth test inference engine: a small Ollama- and OpenAI-compatible HTTP server on top of
// node-llama-cpp (CPU only; one thread unless a request's options.num_thread asks for more).  See README.md.
//
//   node server.mjs [--port N] [--models DIR] [--pull-source DIR] [--token-delay-ms N] [--log FILE]
//                   [--anthropic-key KEY]
//
// It speaks Anthropic's Messages API too (POST /v1/messages; GET /v1/models in Anthropic's shape
// when the request sends anthropic-version), answered by the same models.
//
// Prints exactly one line "listening on http://127.0.0.1:PORT" on stdout once it accepts
// connections.  node-llama-cpp is imported and initialised in the background; requests that
// need it wait for it.
import http from "node:http";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VERSION = "0.0.0-hearth-test";
const DEFAULT_NUM_CTX = 2048;
const DEFAULT_NUM_PREDICT = 128;
const KEEP_ALIVE_MS = 5 * 60 * 1000;

// ---------------------------------------------------------------- options
function parseArgs(argv) {
  const o = { port: 0, models: path.join(HERE, "models"), pullSource: null, tokenDelayMs: 0, log: null, anthropicKey: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--port") o.port = Number(v());
    else if (a === "--models") o.models = path.resolve(v());
    else if (a === "--pull-source") o.pullSource = path.resolve(v());
    else if (a === "--token-delay-ms") o.tokenDelayMs = Number(v());
    else if (a === "--log") o.log = path.resolve(v());
    else if (a === "--anthropic-key") o.anthropicKey = v();
    else die(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) die("bad --port");
  if (!(o.tokenDelayMs >= 0)) die("bad --token-delay-ms");
  return o;
}
function die(msg) { process.stderr.write(`server.mjs: ${msg}\n`); process.exit(2); }
const opt = parseArgs(process.argv.slice(2));
fs.mkdirSync(opt.models, { recursive: true });

// ---------------------------------------------------------------- logging / stats
const stats = { total: 0, paths: {}, models: {}, client_closed: 0, last_options: {}, last_anthropic: null };
function logLine(obj) {
  if (!opt.log) return;
  try { fs.appendFileSync(opt.log, JSON.stringify({ time: new Date().toISOString(), ...obj }) + "\n"); }
  catch (e) { process.stderr.write(`log: ${e.message}\n`); }
}

// ---------------------------------------------------------------- node-llama-cpp (background)
let nlc = null;
const llamaReady = (async () => {
  nlc = await import("node-llama-cpp");
  return nlc.getLlama({ gpu: false, build: "never", skipDownload: true, maxThreads: os.cpus().length, logLevel: "error" });
})();
llamaReady.catch((e) => process.stderr.write(`node-llama-cpp init failed: ${e.stack || e}\n`));

// ---------------------------------------------------------------- model registry
const infoCache = new Map(); // file path -> {key, info}
function splitName(name) {
  if (typeof name !== "string" || name.length === 0) return null;
  let base = name, tag = "latest";
  const c = name.lastIndexOf(":");
  if (c > 0 && !name.slice(c).includes("/")) { base = name.slice(0, c); tag = name.slice(c + 1); }
  if (base.includes("/") || base.startsWith(".") || !/^[A-Za-z0-9_.-]+$/.test(tag)) return { base, tag, ok: false };
  return { base, tag, ok: true };
}
// "x:latest" is DIR/x.gguf; another tag ("x:q8_0", a quantization) is DIR/x:q8_0.gguf.
function fileName(s) { return s.tag === "latest" ? `${s.base}.gguf` : `${s.base}:${s.tag}.gguf`; }
function nameOfFile(f) { const b = path.basename(f, ".gguf"); return b.includes(":") ? b : `${b}:latest`; }
function modelFile(name, dir = opt.models) {
  const s = splitName(name);
  if (!s || !s.ok) return null;
  const f = path.join(dir, fileName(s));
  return fs.existsSync(f) ? f : null;
}
// general.file_type, as Ollama names it in details.quantization_level
const FILE_TYPES = { 0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
                     12: "Q3_K_M", 15: "Q4_K_M", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16" };
function canonical(name) { const s = splitName(name); return s ? `${s.base}:${s.tag}` : String(name); }
async function sha256File(f) {
  const h = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(f)) h.update(chunk);
  return h.digest("hex");
}
function humanNumber(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2).replace(/\.?0+$/, "")}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2).replace(/\.?0+$/, "")}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2).replace(/\.?0+$/, "")}K`;
  return String(n);
}
async function modelInfo(f) {
  const st = await fsp.stat(f);
  const key = `${st.size}:${st.mtimeMs}`;
  const c = infoCache.get(f);
  if (c && c.key === key) return c.info;
  await llamaReady.catch(() => {});
  const gg = await nlc.readGgufFileInfo(f, { readTensorInfo: true });
  const md = gg.metadata, arch = md.general?.architecture ?? "llama", am = md[arch] ?? {};
  let params = 0;
  for (const t of gg.fullTensorInfo ?? gg.tensorInfo ?? []) params += t.dimensions.reduce((a, b) => a * Number(b), 1);
  const info = {
    name: nameOfFile(f),
    file: f,
    size: st.size,
    modified_at: new Date(st.mtimeMs).toISOString(),
    mtime: st.mtimeMs,
    digest: await sha256File(f),
    params,
    arch,
    contextLength: am.context_length ?? 4096,
    blockCount: am.block_count,
    headCount: am.attention?.head_count,
    headCountKv: am.attention?.head_count_kv,
    embeddingLength: am.embedding_length,
    template: md.tokenizer?.chat_template ?? "",
    vocabSize: md.tokenizer?.ggml?.tokens?.length,
    fixedSentence: md.hearth?.fixed_sentence,
  };
  info.details = {
    parent_model: "", format: "gguf", family: arch, families: [arch],
    parameter_size: humanNumber(params), quantization_level: FILE_TYPES[md.general?.file_type ?? 0] ?? "F32",
  };
  infoCache.set(f, { key, info });
  return info;
}
async function listModels() {
  const names = (await fsp.readdir(opt.models)).filter((n) => n.endsWith(".gguf")).sort();
  const out = [];
  for (const n of names) {
    try { out.push(await modelInfo(path.join(opt.models, n))); } catch (e) { process.stderr.write(`skip ${n}: ${e.message}\n`); }
  }
  return out;
}

const loaded = new Map(); // canonical name -> {promise, model, wrapper, info, loadedAt, expiresAt, numCtx, busy}
async function acquireModel(name) {
  const f = modelFile(name);
  if (!f) return null;
  const cname = canonical(name);
  const info = await modelInfo(f);
  let entry = loaded.get(cname);
  let loadNs = 0;
  if (entry && entry.file === f && entry.mtime === info.mtime) {
    await entry.promise;
  } else {
    const t0 = process.hrtime.bigint();
    if (entry) unload(cname);
    entry = { file: f, mtime: info.mtime, info, busy: 0 };
    entry.promise = (async () => {
      const llama = await llamaReady;
      entry.model = await llama.loadModel({ modelPath: f });
      // JinjaTemplateChatWrapper straight from the GGUF's template: resolveChatWrapper()
      // ("auto") costs ~0.9 s comparing the template against every built-in wrapper.
      const tmpl = entry.model.fileInfo.metadata?.tokenizer?.chat_template;
      entry.wrapper = tmpl
        ? new nlc.JinjaTemplateChatWrapper({ template: tmpl, tokenizer: entry.model.tokenizer })
        : nlc.resolveChatWrapper(entry.model);
      entry.loadedAt = Date.now();
    })();
    loaded.set(cname, entry);
    try { await entry.promise; } catch (e) { loaded.delete(cname); throw e; }
    loadNs = Number(process.hrtime.bigint() - t0);
  }
  entry.expiresAt = Date.now() + KEEP_ALIVE_MS;
  return { entry, loadNs, cname };
}
function unload(cname) {
  const e = loaded.get(cname);
  if (!e) return;
  loaded.delete(cname);
  e.promise.then(async () => {
    while (e.busy > 0) await sleep(20);
    await e.model?.dispose();
  }).catch(() => {});
}
setInterval(() => {
  for (const [n, e] of loaded) if (e.busy === 0 && e.expiresAt && Date.now() > e.expiresAt) unload(n);
}, 10_000).unref();

// ---------------------------------------------------------------- generation
const sleep = (ms, signal) => new Promise((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal?.removeEventListener("abort", done); resolve(); }
  signal?.addEventListener("abort", done, { once: true });
});

class BadRequest extends Error { constructor(m, status = 400) { super(m); this.status = status; } }

function toHistory(messages) {
  if (!Array.isArray(messages)) throw new BadRequest("messages must be an array");
  const h = [];
  for (const m of messages) {
    if (!m || typeof m !== "object") throw new BadRequest("invalid message");
    let text = m.content ?? "";
    if (Array.isArray(text)) text = text.map((p) => (typeof p === "string" ? p : p?.text ?? "")).join("");
    if (typeof text !== "string") throw new BadRequest("message content must be a string");
    if (m.role === "system" || m.role === "developer") h.push({ type: "system", text });
    else if (m.role === "user" || m.role === "tool") h.push({ type: "user", text });
    else if (m.role === "assistant") h.push({ type: "model", response: [text] });
    else throw new BadRequest(`invalid role: ${m.role}`);
  }
  if (h.length === 0 || h[h.length - 1].type !== "model") h.push({ type: "model", response: [] });
  return h;
}

function keepAliveMs(v) {
  if (v == null) return KEEP_ALIVE_MS;
  if (typeof v === "number") return v < 0 ? Infinity : v * 1000;
  const m = String(v).match(/^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!m) return KEEP_ALIVE_MS;
  const n = Number(m[1]);
  if (n < 0) return Infinity;
  return n * ({ ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] ?? "s"]);
}

// Runs one generation.  onText(text) is awaited for every decoded delta.
// gen: {model, messages, temperature, seed, numPredict, numCtx, numThread, numBatch, topK, topP, minP,
//       repeatPenalty, keepAlive, signal}
async function generate(gen, onText) {
  const tStart = process.hrtime.bigint();
  const acq = await acquireModel(gen.model);
  if (!acq) throw new BadRequest(`model "${gen.model}" not found, try pulling it first`, 404);
  const { entry, loadNs, cname } = acq;
  entry.busy++;
  let ctx = null;
  try {
    const history = toHistory(gen.messages);
    // As Ollama does, a context never grows past what the model was trained for.
    const numCtx = Math.min(gen.numCtx > 0 ? Math.floor(gen.numCtx) : DEFAULT_NUM_CTX,
                            entry.info.contextLength);
    // Each request gets its own context, so num_thread, num_batch and num_ctx take effect at once
    // (the weights do not depend on them: nothing else is reloaded). One thread unless asked.
    const threads = gen.numThread > 0 ? Math.min(Math.floor(gen.numThread), 256) : 1;
    const ctxOpts = { contextSize: numCtx, threads, sequences: 1 };
    if (gen.numBatch > 0) ctxOpts.batchSize = Math.min(Math.floor(gen.numBatch), numCtx);
    ctx = await entry.model.createContext(ctxOpts);
    entry.numCtx = ctx.contextSize; // llama.cpp rounds small sizes up (minimum 256)
    entry.numThread = threads;
    entry.numBatch = ctx.batchSize;
    const seq = ctx.getSequence();
    const state = entry.wrapper.generateContextState({ chatHistory: history });
    const promptTokens = state.contextText.tokenize(entry.model.tokenizer);
    const bos = entry.model.tokens.bos;
    if (bos != null && entry.model.tokens.shouldPrependBosToken && promptTokens[0] !== bos) promptTokens.unshift(bos);
    if (promptTokens.length >= ctx.contextSize) {
      throw new BadRequest(`prompt is ${promptTokens.length} tokens, context is ${ctx.contextSize}`);
    }
    if (gen.onPrompt) await gen.onPrompt(promptTokens.length);
    let limit = gen.numPredict;
    if (limit == null || !Number.isFinite(limit)) limit = DEFAULT_NUM_PREDICT;
    if (limit < 0) limit = ctx.contextSize - promptTokens.length;
    const evalOpts = { temperature: gen.temperature ?? 0.8 };
    evalOpts.seed = Number.isInteger(gen.seed) ? gen.seed : crypto.randomInt(2 ** 31);
    if (gen.topK != null) evalOpts.topK = gen.topK;
    if (gen.topP != null) evalOpts.topP = gen.topP;
    if (gen.minP != null) evalOpts.minP = gen.minP;
    if (gen.repeatPenalty != null && gen.repeatPenalty !== 1) evalOpts.repeatPenalty = { penalty: gen.repeatPenalty, lastTokens: 64 };

    const tPrompt = process.hrtime.bigint();
    let tFirst = null;
    let evalCount = 0;
    let doneReason = "stop";
    let text = "";
    const pending = []; // tokens whose text is not complete UTF-8 yet
    const emitted = []; // recent tokens for detokenisation context
    if (limit === 0) doneReason = "length";
    else {
      for await (const token of seq.evaluate(promptTokens, evalOpts)) {
        if (tFirst == null) tFirst = process.hrtime.bigint();
        if (gen.signal?.aborted) break;
        evalCount++;
        pending.push(token);
        let piece = entry.model.detokenize(pending, false, emitted.slice(-8));
        if (piece.endsWith("\uFFFD") && pending.length < 4) piece = null; // wait for the rest of a multi-byte char
        if (piece != null) {
          emitted.push(...pending);
          pending.length = 0;
          if (opt.tokenDelayMs > 0) await sleep(opt.tokenDelayMs, gen.signal);
          if (gen.signal?.aborted) break;
          if (piece.length > 0) { text += piece; await onText(piece); }
          if (gen.signal?.aborted) break;
        }
        if (evalCount >= limit) { doneReason = "length"; break; }
      }
      if (pending.length > 0 && !gen.signal?.aborted) {
        const piece = entry.model.detokenize(pending, false, emitted.slice(-8));
        if (piece) { text += piece; await onText(piece); }
      }
    }
    const tEnd = process.hrtime.bigint();
    if (tFirst == null) tFirst = tEnd;
    entry.expiresAt = Date.now() + keepAliveMs(gen.keepAlive);
    return {
      model: cname, text, doneReason, aborted: !!gen.signal?.aborted,
      promptEvalCount: promptTokens.length, evalCount,
      totalNs: Number(tEnd - tStart), loadNs,
      promptEvalNs: Number(tFirst - tPrompt), evalNs: Number(tEnd - tFirst),
    };
  } finally {
    entry.busy--;
    if (ctx) await ctx.dispose().catch(() => {});
    if (keepAliveMs(gen.keepAlive) === 0 && entry.busy === 0) unload(cname);
  }
}

// ---------------------------------------------------------------- HTTP helpers
function sendJson(res, status, obj, headers = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
function sendText(res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}
function parseJson(s) {
  if (s.trim() === "") return {};
  try { const v = JSON.parse(s); if (v && typeof v === "object" && !Array.isArray(v)) return v; } catch {}
  throw new BadRequest("invalid JSON body");
}
// write with back-pressure; resolves false when the client went away
function write(res, data) {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => { res.off("drain", onDrain); res.off("close", onClose); resolve(ok); };
    const onDrain = () => done(true), onClose = () => done(false);
    res.on("drain", onDrain); res.on("close", onClose);
  });
}
function nowIso() { return new Date().toISOString(); }
function optNum(v) { return typeof v === "number" && Number.isFinite(v) ? v : undefined; }

// ---------------------------------------------------------------- Ollama API
function ollamaMetrics(r) {
  const m = {
    total_duration: r.totalNs,
    prompt_eval_count: r.promptEvalCount, prompt_eval_duration: r.promptEvalNs,
    eval_count: r.evalCount, eval_duration: r.evalNs,
  };
  if (r.loadNs > 0) m.load_duration = r.loadNs; // Ollama omits zero durations (omitempty)
  return m;
}

async function ollamaChat(req, res, body, ctl) {
  const o = body.options ?? {};
  const gen = {
    model: body.model, messages: body.messages ?? [],
    temperature: optNum(o.temperature), seed: optNum(o.seed), numPredict: optNum(o.num_predict),
    numCtx: optNum(o.num_ctx), numThread: optNum(o.num_thread), numBatch: optNum(o.num_batch), topK: optNum(o.top_k), topP: optNum(o.top_p), minP: optNum(o.min_p),
    repeatPenalty: optNum(o.repeat_penalty), keepAlive: body.keep_alive, signal: ctl.signal,
  };
  if (typeof gen.model !== "string" || !gen.model) throw new BadRequest("model is required");
  if (!modelFile(gen.model)) throw new BadRequest(`model "${gen.model}" not found, try pulling it first`, 404);
  const stream = body.stream !== false;
  const cname = canonical(gen.model);
  // What the last request to this model asked for, so tests can check what a client sent.
  stats.last_options[cname] = body.options && typeof body.options === "object" ? body.options : {};
  if (gen.messages.length === 0) return ollamaLoadOrUnload(res, gen, cname, stream);
  if (!stream) {
    const r = await generate(gen, async () => {});
    if (r.aborted) return;
    return sendJson(res, 200, {
      model: cname, created_at: nowIso(),
      message: { role: "assistant", content: r.text },
      done_reason: r.doneReason, done: true, ...ollamaMetrics(r),
    });
  }
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "Content-Type": "application/x-ndjson" });
    res.flushHeaders();
  };
  let r;
  try {
    r = await generate(gen, async (piece) => {
      start();
      const line = JSON.stringify({ model: cname, created_at: nowIso(), message: { role: "assistant", content: piece }, done: false });
      if (!(await write(res, line + "\n"))) ctl.abort();
    });
  } catch (e) {
    if (!started) throw e;
    await write(res, JSON.stringify({ error: e.message }) + "\n");
    return res.end();
  }
  if (r.aborted) return;
  start();
  await write(res, JSON.stringify({
    model: cname, created_at: nowIso(), message: { role: "assistant", content: "" },
    done_reason: r.doneReason, done: true, ...ollamaMetrics(r),
  }) + "\n");
  res.end();
}

// As Ollama does: a chat without messages loads the model, or with keep_alive 0 unloads it.
async function ollamaLoadOrUnload(res, gen, cname, stream) {
  let reason = "load";
  if (keepAliveMs(gen.keepAlive) === 0) {
    unload(cname);
    reason = "unload";
  } else {
    const acq = await acquireModel(gen.model);
    acq.entry.expiresAt = Date.now() + keepAliveMs(gen.keepAlive);
  }
  const answer = { model: cname, created_at: nowIso(), message: { role: "assistant", content: "" }, done_reason: reason, done: true };
  if (!stream) return sendJson(res, 200, answer);
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  await write(res, JSON.stringify(answer) + "\n");
  res.end();
}

async function ollamaTags(res) {
  const models = (await listModels()).map((i) => ({
    name: i.name, model: i.name, modified_at: i.modified_at, size: i.size, digest: i.digest, details: i.details,
  }));
  sendJson(res, 200, { models });
}

async function ollamaShow(res, body) {
  const name = body.model ?? body.name;
  const f = modelFile(name);
  if (!f) return sendJson(res, 404, { error: `model "${name}" not found, try pulling it first` });
  const i = await modelInfo(f);
  const a = i.arch;
  sendJson(res, 200, {
    license: "",
    modelfile: `# Modelfile generated by the Hearth test engine\nFROM ${i.file}\nTEMPLATE """${i.template}"""\n`,
    parameters: "",
    template: i.template,
    details: i.details,
    model_info: {
      "general.architecture": a,
      "general.file_type": 0,
      "general.parameter_count": i.params,
      [`${a}.context_length`]: i.contextLength,
      [`${a}.block_count`]: i.blockCount,
      [`${a}.attention.head_count`]: i.headCount,
      [`${a}.attention.head_count_kv`]: i.headCountKv,
      [`${a}.embedding_length`]: i.embeddingLength,
      "tokenizer.ggml.model": "llama",
    },
    capabilities: ["completion"],
    modified_at: i.modified_at,
  });
}

async function ollamaPs(res) {
  const models = [];
  for (const [name, e] of loaded) {
    if (!e.model) continue;
    const i = e.info;
    models.push({
      name, model: name, size: i.size, digest: i.digest, details: i.details,
      expires_at: new Date(e.expiresAt === Infinity ? Date.now() + 3.15e12 : e.expiresAt).toISOString(),
      size_vram: 0, context_length: e.numCtx ?? DEFAULT_NUM_CTX,
      // not in Ollama's answer: what the last request ran with
      num_thread: e.numThread ?? 1, num_batch: e.numBatch ?? null,
    });
  }
  sendJson(res, 200, { models });
}

const pullProgress = new Map(); // name -> bytes already "downloaded" (resume after a cancelled pull)
async function ollamaPull(req, res, body, ctl) {
  const name = body.model ?? body.name;
  const stream = body.stream !== false;
  const s = splitName(name);
  const src = opt.pullSource && s?.ok ? path.join(opt.pullSource, fileName(s)) : null;
  const exists = src && fs.existsSync(src);
  if (!stream && !exists) return sendJson(res, 500, { error: "pull model manifest: file does not exist" });
  if (stream) { res.writeHead(200, { "Content-Type": "application/x-ndjson" }); res.flushHeaders(); }
  const line = async (o) => (stream ? write(res, JSON.stringify(o) + "\n") : true);
  await line({ status: "pulling manifest" });
  await sleep(50, ctl.signal);
  if (!exists) {
    await line({ error: "pull model manifest: file does not exist" });
    return res.end();
  }
  const size = (await fsp.stat(src)).size;
  const digest = await sha256File(src);
  const params = Buffer.from(JSON.stringify({ temperature: 0.8, stop: ["</s>"] }));
  const paramsDigest = crypto.createHash("sha256").update(params).digest("hex");
  const layers = [
    { digest, total: size, done: Math.min(pullProgress.get(canonical(name)) ?? 0, size) },
    { digest: paramsDigest, total: params.length, done: 0 },
  ];
  const st = (l) => ({ status: `pulling ${l.digest.slice(0, 12)}`, digest: `sha256:${l.digest}` });
  for (const l of layers) await line({ ...st(l), total: l.total });
  const steps = 10;
  for (let k = 1; k <= steps; k++) {
    await sleep(100, ctl.signal);
    if (ctl.signal.aborted) return;
    for (const [idx, l] of layers.entries()) {
      const target = idx === 0 ? Math.round(size * k / steps) : (k >= 3 ? l.total : Math.round(l.total * k / 3));
      l.done = Math.max(l.done, target);
      if (idx === 0) pullProgress.set(canonical(name), l.done);
      if (!(await line({ ...st(l), total: l.total, completed: l.done }))) { ctl.abort(); return; }
    }
  }
  await line({ status: "verifying sha256 digest" });
  const dst = path.join(opt.models, fileName(s));
  const tmp = `${dst}.partial-${process.pid}`;
  await fsp.copyFile(src, tmp);
  await fsp.rename(tmp, dst);
  pullProgress.delete(canonical(name));
  await line({ status: "writing manifest" });
  await line({ status: "success" });
  if (stream) res.end(); else sendJson(res, 200, { status: "success" });
}

async function ollamaDelete(res, body) {
  const name = body.model ?? body.name;
  const f = modelFile(name);
  if (!f) return sendJson(res, 404, { error: `model '${name}' not found` });
  unload(canonical(name));
  await fsp.unlink(f);
  infoCache.delete(f);
  res.writeHead(200, { "Content-Length": 0 }); res.end();
}

// ---------------------------------------------------------------- OpenAI API
function oaiError(res, status, message, type = "invalid_request_error", code = null) {
  sendJson(res, status, { error: { message, type, param: null, code } });
}
let completionSeq = 0;
function oaiTimings(r) {
  const pms = r.promptEvalNs / 1e6, gms = r.evalNs / 1e6;
  return {
    prompt_n: r.promptEvalCount, prompt_ms: pms, prompt_per_second: pms > 0 ? r.promptEvalCount / pms * 1000 : 0,
    predicted_n: r.evalCount, predicted_ms: gms, predicted_per_second: gms > 0 ? r.evalCount / gms * 1000 : 0,
  };
}
async function openaiChat(req, res, body, ctl) {
  const gen = {
    model: body.model, messages: body.messages ?? [],
    temperature: optNum(body.temperature), seed: optNum(body.seed),
    numPredict: optNum(body.max_completion_tokens) ?? optNum(body.max_tokens), topP: optNum(body.top_p),
    signal: ctl.signal,
  };
  if (typeof gen.model !== "string" || !gen.model) return oaiError(res, 400, "model is required");
  if (!modelFile(gen.model)) {
    return oaiError(res, 404, `model "${gen.model}" not found, try pulling it first`, "invalid_request_error", "model_not_found");
  }
  const id = `chatcmpl-${++completionSeq}`;
  const created = Math.floor(Date.now() / 1000);
  const cname = canonical(gen.model);
  const base = { id, object: "chat.completion.chunk", created, model: cname, system_fingerprint: "hearth-test" };
  const finish = (r) => (r.doneReason === "length" ? "length" : "stop");
  const usage = (r) => ({ prompt_tokens: r.promptEvalCount, completion_tokens: r.evalCount, total_tokens: r.promptEvalCount + r.evalCount });
  if (!body.stream) {
    const r = await generate(gen, async () => {});
    if (r.aborted) return;
    return sendJson(res, 200, {
      id, object: "chat.completion", created, model: cname, system_fingerprint: "hearth-test",
      choices: [{ index: 0, message: { role: "assistant", content: r.text }, logprobs: null, finish_reason: finish(r) }],
      usage: usage(r), timings: oaiTimings(r),
    });
  }
  let started = false;
  const ev = (o) => write(res, `data: ${JSON.stringify(o)}\n\n`);
  const start = async () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
    await ev({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] });
  };
  let r;
  try {
    r = await generate(gen, async (piece) => {
      await start();
      if (!(await ev({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] }))) ctl.abort();
    });
  } catch (e) {
    if (!started) throw e;
    await ev({ error: { message: e.message, type: "server_error", param: null, code: null } });
    return res.end();
  }
  if (r.aborted) return;
  await start();
  await ev({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish(r) }], timings: oaiTimings(r) });
  if (body.stream_options?.include_usage) await ev({ ...base, choices: [], usage: usage(r) });
  await write(res, "data: [DONE]\n\n");
  res.end();
}

async function openaiModels(res) {
  const data = (await listModels()).map((i) => ({ id: i.name, object: "model", created: Math.floor(i.mtime / 1000), owned_by: "library" }));
  sendJson(res, 200, { object: "list", data });
}

// ---------------------------------------------------------------- Anthropic Messages API
function anthropicError(res, status, type, message) {
  sendJson(res, status, { type: "error", error: { type, message } });
}
// What the last Anthropic request carried, for tests: its headers without the key's value (only
// whether it was sent and matched --anthropic-key), its URL and its body (no secret in either).
function recordAnthropic(req, body) {
  const headers = { ...req.headers };
  const key = headers["x-api-key"];
  delete headers["x-api-key"];
  stats.last_anthropic = {
    method: req.method, url: req.url, headers, body,
    api_key: key === undefined ? "missing" : opt.anthropicKey === null ? "sent" : key === opt.anthropicKey ? "matched" : "wrong",
    authorization: headers.authorization !== undefined,
  };
  if (headers.authorization !== undefined) headers.authorization = "(hidden)";
}
// null when the request may go on; else it has been answered.
function anthropicRefuse(req, res) {
  if (opt.anthropicKey !== null && req.headers["x-api-key"] !== opt.anthropicKey) {
    anthropicError(res, 401, "authentication_error", "invalid x-api-key");
    return true;
  }
  if (req.headers["anthropic-version"] === undefined) {
    anthropicError(res, 400, "invalid_request_error", "anthropic-version: header is required");
    return true;
  }
  return false;
}
function anthropicText(content, where) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((b) => {
      if (b?.type !== "text" || typeof b.text !== "string") throw new BadRequest(`${where}: only text blocks are supported here`);
      return b.text;
    }).join("");
  }
  throw new BadRequest(`${where}: Input should be a valid string or list of content blocks`);
}
let anthropicSeq = 0;
async function anthropicMessages(req, res, body, ctl) {
  recordAnthropic(req, body);
  if (anthropicRefuse(req, res)) return;
  if (typeof body.model !== "string" || !body.model) return anthropicError(res, 400, "invalid_request_error", "model: Field required");
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return anthropicError(res, 400, "invalid_request_error", "max_tokens: Field required (an integer of at least 1)");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return anthropicError(res, 400, "invalid_request_error", "messages: at least one message is required");
  }
  const history = [];
  if (body.system !== undefined) history.push({ role: "system", content: anthropicText(body.system, "system") });
  let last = null;
  for (const [i, m] of body.messages.entries()) {
    if (m?.role === "system") {
      return anthropicError(res, 400, "invalid_request_error",
        `messages.${i}.role: Unexpected role "system". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`);
    }
    if (m?.role !== "user" && m?.role !== "assistant") {
      return anthropicError(res, 400, "invalid_request_error", `messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    // Stricter than the API today, so that a client that does not merge its turns is caught.
    if (m.role === last) {
      return anthropicError(res, 400, "invalid_request_error", `messages.${i}: roles must alternate between "user" and "assistant"`);
    }
    const text = anthropicText(m.content, `messages.${i}.content`);
    if (text === "") return anthropicError(res, 400, "invalid_request_error", `messages.${i}: text content blocks must be non-empty`);
    history.push({ role: m.role, content: text });
    last = m.role;
  }
  if (!modelFile(body.model)) return anthropicError(res, 404, "not_found_error", `model: ${body.model}`);
  if (typeof body.temperature === "number" && (body.temperature < 0 || body.temperature > 1)) {
    return anthropicError(res, 400, "invalid_request_error", "temperature: range: 0 <= temperature <= 1");
  }
  const gen = {
    model: body.model, messages: history, temperature: optNum(body.temperature), numPredict: body.max_tokens,
    topP: optNum(body.top_p), topK: optNum(body.top_k), signal: ctl.signal,
  };
  const id = `msg_hearth${String(++anthropicSeq).padStart(6, "0")}`;
  const cname = canonical(body.model);
  const stopReason = (r) => (r.doneReason === "length" ? "max_tokens" : "end_turn");
  if (body.stream !== true) {
    const r = await generate(gen, async () => {});
    if (r.aborted) return;
    return sendJson(res, 200, {
      id, type: "message", role: "assistant", model: cname, content: [{ type: "text", text: r.text }],
      stop_reason: stopReason(r), stop_sequence: null, usage: { input_tokens: r.promptEvalCount, output_tokens: r.evalCount },
    });
  }
  let started = false;
  const ev = (name, o) => write(res, `event: ${name}\ndata: ${JSON.stringify({ type: name, ...o })}\n\n`);
  // message_start carries the prompt's token count, so it waits for the prompt to be tokenized.
  gen.onPrompt = async (inputTokens) => {
    started = true;
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", Connection: "keep-alive" });
    await ev("message_start", { message: {
      id, type: "message", role: "assistant", content: [], model: cname, stop_reason: null, stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    } });
    await ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    await ev("ping", {});
  };
  let r, deltas = 0;
  try {
    r = await generate(gen, async (piece) => {
      if (!(await ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } }))) ctl.abort();
      if (++deltas % 8 === 0) await ev("ping", {});
    });
  } catch (e) {
    if (!started) throw e;
    await ev("error", { error: { type: "api_error", message: e.message } });
    return res.end();
  }
  if (r.aborted) return;
  await ev("content_block_stop", { index: 0 });
  await ev("message_delta", { delta: { stop_reason: stopReason(r), stop_sequence: null }, usage: { output_tokens: r.evalCount } });
  await ev("message_stop", {});
  res.end();
}

// "tiny-fixed:latest" → "Tiny Fixed"
function displayName(name) {
  return name.replace(/:latest$/, "").split(/[-_:]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
}
async function anthropicModels(req, res) {
  recordAnthropic(req, null);
  if (anthropicRefuse(req, res)) return;
  const data = (await listModels()).map((i) => ({
    type: "model", id: i.name, display_name: displayName(i.name), created_at: new Date(i.mtime).toISOString(),
  }));
  sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}

// The text of a request's last message (its prompt, or a chat's newest turn), for the log: a test
// that marks each request's prompt can tell which of them reached the engine, and in what order.
function lastPrompt(body) {
  const m = Array.isArray(body.messages) ? body.messages.at(-1) : null;
  let text = typeof body.prompt === "string" ? body.prompt : m?.content;
  if (Array.isArray(text)) text = text.map((b) => (typeof b === "string" ? b : b?.text ?? "")).join("");
  return typeof text === "string" ? text.slice(0, 200) : undefined;
}

// The messages before the last one, as "role: text" (each text's first 100 characters), for the
// log: a test can tell what context a chat carried (which earlier answers were sent).
function earlierTurns(body) {
  if (!Array.isArray(body.messages) || body.messages.length < 2) return undefined;
  return body.messages.slice(0, -1).map((m) => {
    let text = m?.content;
    if (Array.isArray(text)) text = text.map((b) => (typeof b === "string" ? b : b?.text ?? "")).join("");
    return `${m?.role}: ${typeof text === "string" ? text.slice(0, 100) : ""}`;
  });
}

// ---------------------------------------------------------------- router
const server = http.createServer({ noDelay: true }, async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const p = url.pathname;
  const ctl = new AbortController();
  let model = null;
  res.on("close", () => {
    if (!res.writableFinished) {
      ctl.abort();
      stats.client_closed++;
      logLine({ event: "client-closed", method: req.method, path: p, model });
    }
  });
  const isOai = p.startsWith("/v1/");
  // Anthropic's API: its own path, or /v1/models asked with its version header.
  const isAnthropic = p === "/v1/messages" || (isOai && req.headers["anthropic-version"] !== undefined);
  try {
    let body = {};
    if (req.method === "POST" || req.method === "DELETE") body = parseJson(await readBody(req));
    model = typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : null;
    if (p !== "/_stats" && p !== "/_reset") {
      stats.total++;
      stats.paths[p] = (stats.paths[p] ?? 0) + 1;
      if (model) stats.models[model] = (stats.models[model] ?? 0) + 1;
      logLine({ event: "request", method: req.method, path: p, model, prompt: lastPrompt(body),
                earlier: earlierTurns(body) });
    }
    const route = `${req.method} ${p}`;
    switch (route) {
      case "GET /": case "HEAD /": return sendText(res, 200, "Ollama is running");
      case "GET /api/version": return sendJson(res, 200, { version: VERSION });
      case "GET /api/tags": return await ollamaTags(res);
      case "POST /api/show": return await ollamaShow(res, body);
      case "GET /api/ps": return await ollamaPs(res);
      case "POST /api/chat": return await ollamaChat(req, res, body, ctl);
      case "POST /api/pull": return await ollamaPull(req, res, body, ctl);
      case "DELETE /api/delete": return await ollamaDelete(res, body);
      case "GET /v1/models":
        if (isAnthropic) return await anthropicModels(req, res);
        return await openaiModels(res);
      case "POST /v1/messages": return await anthropicMessages(req, res, body, ctl);
      case "POST /v1/chat/completions": return await openaiChat(req, res, body, ctl);
      case "GET /_stats": return sendJson(res, 200, stats);
      case "POST /_reset":
        stats.total = 0; stats.paths = {}; stats.models = {}; stats.client_closed = 0; stats.last_options = {};
        stats.last_anthropic = null;
        return sendJson(res, 200, { ok: true });
      default:
        if (isOai) return oaiError(res, 404, `unknown endpoint ${req.method} ${p}`, "invalid_request_error", "not_found");
        return sendText(res, 404, "404 page not found");
    }
  } catch (e) {
    const status = e instanceof BadRequest ? e.status : 500;
    if (status === 500) process.stderr.write(`${req.method} ${p}: ${e.stack || e}\n`);
    if (res.headersSent) { res.destroy(); return; }
    if (isAnthropic) return anthropicError(res, status, status === 404 ? "not_found_error" : status === 500 ? "api_error" : "invalid_request_error", e.message);
    if (isOai) return oaiError(res, status, e.message, status === 500 ? "server_error" : "invalid_request_error",
      status === 404 ? "model_not_found" : null);
    return sendJson(res, status, { error: e.message });
  }
});

server.listen(opt.port, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
server.on("error", (e) => { process.stderr.write(`server.mjs: ${e.message}\n`); process.exit(1); });

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
