#!/usr/bin/env node
// Writes a tiny, valid GGUF v3 model of the `llama` architecture for Hearth's tests.
//
//   node make-model.mjs --mode fixed|random [--sentence "..."] [--seed N] [--size tiny|medium]
//                       [--type f32|f16] OUT.gguf
//
// The network: F32 tensors, 2 layers, embedding 64, 4 heads / 2 KV heads, FFN 128 (--size tiny,
// ~790 KB); --size medium: 8 layers, embedding 384, 6 heads / 2 KV heads, FFN 1024 (~55 MB), so
// that the work per token outweighs the overhead and more threads are really faster.
// All attention and FFN weights are zero, so the residual stream that reaches the output
// norm is exactly the embedding of the last token; the output matrix alone decides what
// comes next.
//
// mode fixed:  every token that the answer emits ("state" token) gets its own one-hot
//              embedding dimension; every other token shares dimension 0.  The output row
//              of a token's successor has a large weight on that token's dimension, so:
//                any non-state token (e.g. the template's last token) -> first answer token
//                answer token i -> answer token i+1,  last answer token -> </s> (EOS)
//              Logit margin is 80 (vs 0 for everything else), so even temperature 1.0+
//              sampling is deterministic.  The answer is encoded so that every emitted token id
//              is distinct (llama.cpp forbids duplicate vocabulary entries), e.g. the second
//              " blue" is emitted as " blu" + byte <0x65>, so each has exactly one successor.
// mode random: seeded random embeddings/output rows; a bias dimension keeps EOS, control,
//              byte and word-prefix tokens far below full-word tokens, so the model emits
//              random words and (practically) never EOS.
import fs from "node:fs";
import path from "node:path";

const DEFAULT_SENTENCE = "The sky is blue because air scatters blue light more than red light.";

// English words embedded in the vocabulary; every "▁"-prefixed prefix of each becomes a token.
const WORDS = `
the be to of and a in that have it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get
which go me when make can like time no just him know take people into year your good some
could them see other than then now look only come its over think also back after use two how
our work first well way even new want because any these give day most us is are was were been
has had did said sky blue air light red more scatters scatter sun water tree green yellow
white black small large world hello thank please yes answer question model test stream token
quick brown fox jumps lazy dog cat house river mountain ocean cloud rain snow wind fire earth
stone paper music color number story friend family city country morning evening night
garden window kitchen table chair bread cheese apple orange coffee tea sugar salt winter summer
spring autumn school teacher student letter window bridge road train station market forest field
flower bird fish horse island desert valley planet star moon silver golden bright dark quiet loud
happy simple strong gentle early late always never often again together between under above
`.trim().split(/\s+/);
const PUNCT = [".", ",", "!", "?", ":", ";", "'", "\"", "-", "(", ")", "▁"];
const CAPITALS = ["The", "A", "I", "It", "This", "Hello", "Yes", "No"];

const TT = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 };

const CHAT_TEMPLATE =
  "{% for message in messages %}" +
  "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

const SIZES = {
  tiny: { embd: 64, head: 4, headKv: 2, layer: 2, ff: 128 },
  medium: { embd: 384, head: 6, headKv: 2, layer: 8, ff: 1024 },
};
let N_EMBD, N_HEAD, N_HEAD_KV, N_LAYER, N_FF, HEAD_DIM;
const N_CTX = 4096;
function setSize(name) {
  const z = SIZES[name];
  [N_EMBD, N_HEAD, N_HEAD_KV, N_LAYER, N_FF] = [z.embd, z.head, z.headKv, z.layer, z.ff];
  HEAD_DIM = N_EMBD / N_HEAD;
}

function usage(msg) {
  if (msg) process.stderr.write(`make-model: ${msg}\n`);
  process.stderr.write('usage: node make-model.mjs --mode fixed|random [--sentence "..."] [--seed N] [--context N] [--size tiny|medium] [--type f32|f16] OUT.gguf\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { mode: null, sentence: DEFAULT_SENTENCE, seed: 42, context: N_CTX, size: "tiny", type: "f32", out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--mode") o.mode = argv[++i];
    else if (a === "--sentence") o.sentence = argv[++i];
    else if (a === "--seed") o.seed = Number(argv[++i]);
    else if (a === "--context") o.context = Number(argv[++i]);
    else if (a === "--size") o.size = argv[++i];
    else if (a === "--type") o.type = argv[++i];
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else if (o.out == null) o.out = a;
    else usage(`unexpected argument ${a}`);
  }
  if (o.mode !== "fixed" && o.mode !== "random") usage("--mode must be fixed or random");
  if (!o.out) usage("missing OUT.gguf");
  if (!Object.hasOwn(SIZES, o.size)) usage("--size must be tiny or medium");
  if (o.type !== "f32" && o.type !== "f16") usage("--type must be f32 or f16");
  if (!Number.isInteger(o.seed)) usage("--seed must be an integer");
  if (!Number.isInteger(o.context) || o.context < 16) usage("--context must be an integer of at least 16");
  if (typeof o.sentence !== "string" || o.sentence.length === 0) usage("--sentence must not be empty");
  return o;
}

// ---- deterministic PRNG (mulberry32 + Box-Muller) ----
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.gauss = () => {
    const u = Math.max(next(), 1e-12), v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return next;
}

// ---- vocabulary ----
function buildVocab() {
  const tokens = [], scores = [], types = [];
  const add = (text, score, type) => { tokens.push(text); scores.push(score); types.push(type); return tokens.length - 1; };
  add("<unk>", 0, TT.UNKNOWN);
  add("<s>", 0, TT.CONTROL);
  add("</s>", 0, TT.CONTROL);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, 0, TT.BYTE);
  for (const r of ["system", "user", "assistant"]) add(`<|${r}|>`, 0, TT.CONTROL);
  const seen = new Set(tokens);
  const fullWords = new Set();
  const pieces = [];
  for (const w of WORDS) {
    for (let k = 1; k <= w.length; k++) {
      const p = "▁" + w.slice(0, k);
      if (!seen.has(p)) { seen.add(p); pieces.push(p); }
    }
    fullWords.add("▁" + w);
  }
  for (const w of CAPITALS) {
    for (const p of ["▁" + w, w]) if (!seen.has(p)) { seen.add(p); pieces.push(p); }
    fullWords.add("▁" + w);
  }
  for (const p of PUNCT) if (!seen.has(p)) { seen.add(p); pieces.push(p); }
  // SentencePiece scores: longer pieces merge first (higher score).
  pieces.forEach((p, i) => add(p, -100 + [...p].length * 5 - i * 1e-3, TT.NORMAL));
  return { tokens, scores, types, fullWords };
}

// Output bytes of a token (what detokenisation produces).
function tokenBytes(vocab, i) {
  if (vocab.types[i] === TT.BYTE) return Buffer.from([parseInt(vocab.tokens[i].slice(3, 5), 16)]);
  return Buffer.from(vocab.tokens[i].replace(/▁/g, " "), "utf8");
}

// Encodes the answer as a sequence of DISTINCT token ids whose bytes concatenate to the
// sentence: greedy longest match over unused normal/byte tokens; when nothing unused fits,
// a new normal token (a substring not yet in the vocabulary) is added.
function encodeAnswer(vocab, sentence) {
  const addToken = (text) => {
    vocab.tokens.push(text); vocab.scores.push(-100 + [...text].length * 5); vocab.types.push(TT.NORMAL);
    return vocab.tokens.length - 1;
  };
  // The first word is emitted without the "▁" prefix so the reply has no leading space.
  const first = sentence.match(/^[A-Za-z]+/);
  if (first && !vocab.tokens.includes(first[0])) addToken(first[0]);
  const target = Buffer.from(sentence, "utf8");
  const cands = [];
  for (let i = 0; i < vocab.tokens.length; i++)
    if (vocab.types[i] === TT.NORMAL || vocab.types[i] === TT.BYTE) cands.push([i, tokenBytes(vocab, i)]);
  const used = new Set();
  const ids = [];
  let pos = 0;
  while (pos < target.length) {
    let best = -1, bestLen = 0;
    for (const [i, b] of cands) {
      if (used.has(i) || b.length <= bestLen || pos + b.length > target.length) continue;
      if (target.compare(b, 0, b.length, pos, pos + b.length) === 0) { best = i; bestLen = b.length; }
    }
    if (best < 0) {
      // new token: the shortest run of whole characters starting here that is not in the vocab
      const rest = [...target.subarray(pos).toString("utf8")];
      let text = null;
      for (let n = 1; n <= rest.length && text == null; n++) {
        const t = rest.slice(0, n).join("").replace(/ /g, "▁");
        if (!vocab.tokens.includes(t)) text = t;
      }
      if (text == null) throw new Error("cannot encode sentence with distinct tokens");
      best = addToken(text);
      bestLen = Buffer.byteLength(text.replace(/▁/g, " "), "utf8");
    }
    used.add(best); ids.push(best); pos += bestLen;
  }
  return ids;
}

function buildFixed(vocab, sentence) {
  const ids = encodeAnswer(vocab, sentence);
  if (ids.length + 1 > N_EMBD) throw new Error(`sentence is ${ids.length} tokens; at most ${N_EMBD - 1} fit`);
  const nV = vocab.tokens.length;
  const embd = new Float32Array(nV * N_EMBD);
  const out = new Float32Array(nV * N_EMBD);
  const dimOf = new Map(ids.map((id, k) => [id, k + 1]));
  for (let t = 0; t < nV; t++) embd[t * N_EMBD + (dimOf.get(t) ?? 0)] = 1.0;
  const M = 10; // after RMS norm the active dimension is 8 -> logit 80
  out[ids[0] * N_EMBD + 0] = M;
  for (let k = 0; k < ids.length; k++) {
    const succ = k + 1 < ids.length ? ids[k + 1] : 2 /* </s> */;
    out[succ * N_EMBD + (k + 1)] = M;
  }
  return { embd, out, ids };
}

function buildRandom(vocab, seed) {
  const r = rng(seed);
  const nV = vocab.tokens.length;
  const embd = new Float32Array(nV * N_EMBD);
  const out = new Float32Array(nV * N_EMBD);
  for (let t = 0; t < nV; t++) {
    embd[t * N_EMBD] = 4; // bias carrier (about 3.6 after RMS norm)
    for (let d = 1; d < N_EMBD; d++) embd[t * N_EMBD + d] = r.gauss();
    const isWord = vocab.types[t] === TT.NORMAL && vocab.fullWords.has(vocab.tokens[t]);
    const isPunct = vocab.types[t] === TT.NORMAL && /^[.,!?]$/.test(vocab.tokens[t]);
    out[t * N_EMBD] = isWord ? 0 : isPunct ? -0.9 : -30;
    for (let d = 1; d < N_EMBD; d++) out[t * N_EMBD + d] = isWord || isPunct ? r.gauss() * 0.3 : 0;
  }
  return { embd, out };
}

// IEEE half precision, rounded to nearest (ties away), for --type f16.
function toHalf(data) {
  const out = new Uint16Array(data.length);
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < data.length; i++) {
    f[0] = data[i];
    const x = u[0], sign = (x >>> 16) & 0x8000, e = ((x >>> 23) & 0xff) - 127 + 15, m = x & 0x7fffff;
    if (e >= 31) out[i] = sign | 0x7c00;
    else if (e <= 0) out[i] = e < -10 ? sign : sign | (((m | 0x800000) >> (1 - e)) + 0x1000) >> 13;
    else out[i] = (sign | (e << 10) | (m >> 13)) + ((m >> 12) & 1);
  }
  return out;
}

// ---- GGUF writer ----
const GT = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10 };
class Writer {
  constructor() { this.chunks = []; this.len = 0; }
  push(buf) { this.chunks.push(buf); this.len += buf.length; }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
  i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
  u64(v) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  f32(v) { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
  str(s) { const b = Buffer.from(s, "utf8"); this.u64(b.length); this.push(b); }
  kv(key, type, value, elemType) {
    this.str(key); this.u32(type);
    this.val(type, value, elemType);
  }
  val(type, v, elemType) {
    switch (type) {
      case GT.UINT32: return this.u32(v);
      case GT.INT32: return this.i32(v);
      case GT.FLOAT32: return this.f32(v);
      case GT.BOOL: return this.push(Buffer.from([v ? 1 : 0]));
      case GT.STRING: return this.str(v);
      case GT.UINT64: return this.u64(v);
      case GT.ARRAY:
        this.u32(elemType); this.u64(v.length);
        for (const e of v) this.val(elemType, e);
        return;
      default: throw new Error(`type ${type}`);
    }
  }
  pad(align) { const r = this.len % align; if (r) this.push(Buffer.alloc(align - r)); }
  buffer() { return Buffer.concat(this.chunks, this.len); }
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  setSize(opt.size);
  const vocab = buildVocab();
  let net, fixedIds = null;
  if (opt.mode === "fixed") { net = buildFixed(vocab, opt.sentence); fixedIds = net.ids; }
  else net = buildRandom(vocab, opt.seed);
  const nV = vocab.tokens.length;
  const ones = new Float32Array(N_EMBD).fill(1);
  const nKV = HEAD_DIM * N_HEAD_KV;
  const tensors = [
    ["token_embd.weight", [N_EMBD, nV], net.embd],
    ["output_norm.weight", [N_EMBD], ones],
    ["output.weight", [N_EMBD, nV], net.out],
  ];
  for (let l = 0; l < N_LAYER; l++) {
    tensors.push(
      [`blk.${l}.attn_norm.weight`, [N_EMBD], ones],
      [`blk.${l}.attn_q.weight`, [N_EMBD, N_EMBD], new Float32Array(N_EMBD * N_EMBD)],
      [`blk.${l}.attn_k.weight`, [N_EMBD, nKV], new Float32Array(N_EMBD * nKV)],
      [`blk.${l}.attn_v.weight`, [N_EMBD, nKV], new Float32Array(N_EMBD * nKV)],
      [`blk.${l}.attn_output.weight`, [N_EMBD, N_EMBD], new Float32Array(N_EMBD * N_EMBD)],
      [`blk.${l}.ffn_norm.weight`, [N_EMBD], ones],
      [`blk.${l}.ffn_gate.weight`, [N_EMBD, N_FF], new Float32Array(N_EMBD * N_FF)],
      [`blk.${l}.ffn_up.weight`, [N_EMBD, N_FF], new Float32Array(N_EMBD * N_FF)],
      [`blk.${l}.ffn_down.weight`, [N_FF, N_EMBD], new Float32Array(N_FF * N_EMBD)],
    );
  }
  const nParams = tensors.reduce((s, t) => s + t[2].length, 0);
  const name = path.basename(opt.out).replace(/\.gguf$/, "");
  const kvs = [
    ["general.architecture", GT.STRING, "llama"],
    ["general.name", GT.STRING, `hearth-${name}`],
    ["general.description", GT.STRING, opt.mode === "fixed"
      ? `Hearth test model: always answers ${JSON.stringify(opt.sentence)}`
      : `Hearth test model: random words (seed ${opt.seed})`],
    ["general.file_type", GT.UINT32, opt.type === "f16" ? 1 : 0],
    ["general.alignment", GT.UINT32, 32],
    ["llama.context_length", GT.UINT32, opt.context],
    ["llama.embedding_length", GT.UINT32, N_EMBD],
    ["llama.block_count", GT.UINT32, N_LAYER],
    ["llama.feed_forward_length", GT.UINT32, N_FF],
    ["llama.attention.head_count", GT.UINT32, N_HEAD],
    ["llama.attention.head_count_kv", GT.UINT32, N_HEAD_KV],
    ["llama.rope.dimension_count", GT.UINT32, HEAD_DIM],
    ["llama.rope.freq_base", GT.FLOAT32, 10000],
    ["llama.attention.layer_norm_rms_epsilon", GT.FLOAT32, 1e-5],
    ["llama.vocab_size", GT.UINT32, nV],
    ["tokenizer.ggml.model", GT.STRING, "llama"],
    ["tokenizer.ggml.tokens", GT.ARRAY, vocab.tokens, GT.STRING],
    ["tokenizer.ggml.scores", GT.ARRAY, vocab.scores, GT.FLOAT32],
    ["tokenizer.ggml.token_type", GT.ARRAY, vocab.types, GT.INT32],
    ["tokenizer.ggml.unknown_token_id", GT.UINT32, 0],
    ["tokenizer.ggml.bos_token_id", GT.UINT32, 1],
    ["tokenizer.ggml.eos_token_id", GT.UINT32, 2],
    ["tokenizer.ggml.add_bos_token", GT.BOOL, true],
    ["tokenizer.ggml.add_eos_token", GT.BOOL, false],
    ["tokenizer.chat_template", GT.STRING, CHAT_TEMPLATE],
  ];
  if (fixedIds) {
    kvs.push(["hearth.fixed_sentence", GT.STRING, opt.sentence]);
    kvs.push(["hearth.fixed_token_count", GT.UINT32, fixedIds.length]);
  }
  // --type f16: the matrices in half precision (llama.cpp's MOSTLY_F16), the norms stay F32.
  const half = (dims) => opt.type === "f16" && dims.length === 2;
  const payload = tensors.map(([, dims, data]) => (half(dims) ? toHalf(data) : data));
  const w = new Writer();
  w.u32(0x46554747); // "GGUF"
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [k, t, v, et] of kvs) w.kv(k, t, v, et);
  let offset = 0;
  for (const [k, [tname, dims]] of tensors.entries()) {
    w.str(tname); w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(half(dims) ? 1 : 0); // GGML_TYPE_F16 : GGML_TYPE_F32
    w.u64(offset);
    offset += payload[k].byteLength;
    offset = Math.ceil(offset / 32) * 32;
  }
  w.pad(32);
  for (const data of payload) {
    w.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    w.pad(32);
  }
  fs.mkdirSync(path.dirname(path.resolve(opt.out)), { recursive: true });
  const tmp = `${opt.out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, w.buffer());
  fs.renameSync(tmp, opt.out);
  const info = { out: opt.out, mode: opt.mode, size: opt.size, type: opt.type, vocab: nV, params: nParams, bytes: w.len };
  if (fixedIds) { info.sentence = opt.sentence; info.answer_tokens = fixedIds.length; }
  else info.seed = opt.seed;
  process.stdout.write(JSON.stringify(info) + "\n");
}

main();
