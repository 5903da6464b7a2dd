#!/usr/bin/env node
// The real client libraries users point at Hearth's gateway: ollama-js (`ollama`) and
// openai-node (`openai`), each through its own public API, as a program would use it.
//
//   node gateway-clients.mjs --url http://127.0.0.1:PORT --model tiny-fixed \
//        --slow tiny-fixed@slow --pull tiny-pulled [--phase main|full]
//
// --model answers at once; --slow answers one token at a time (its server's queue sends one
// request at a time), for the cases that abort mid-stream; --pull is a model the server can
// pull.  Phase "main" runs list, show, ps, chat and generate (streamed and not), pull, abort
// and the error of an unknown model; phase "full" expects the --slow server's queue to be
// full and runs the 429 cases (it prints {"signal":"first-429"} when the retried request got
// its 429, so that the test can make room before the client retries).
//
// stdout: one JSON object per line, {"case":"ollama.chat", "ok":true, …what the client saw}
// ("ok": false with "error" when the client threw where it should not have).  The test
// (tests/test-gateway-clients.c) asserts on each.  Exit status 0 unless the script itself
// failed.
import { Ollama } from "ollama";
import OpenAI from "openai";

function parseArgs(argv) {
  const o = { url: null, model: "tiny-fixed", slow: null, pull: null, phase: "main" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--url") o.url = v();
    else if (a === "--model") o.model = v();
    else if (a === "--slow") o.slow = v();
    else if (a === "--pull") o.pull = v();
    else if (a === "--phase") o.phase = v();
    else { process.stderr.write(`gateway-clients.mjs: unknown argument ${a}\n`); process.exit(2); }
  }
  if (!o.url) { process.stderr.write("gateway-clients.mjs: --url is required\n"); process.exit(2); }
  o.slow ??= o.model;
  return o;
}
const opt = parseArgs(process.argv.slice(2));
const question = (n) => [{ role: "user", content: `Why is the sky blue? (client case ${n})` }];

function emit(obj) { process.stdout.write(JSON.stringify(obj) + "\n"); }
async function run(name, fn) {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    const r = await fn();
    emit({ case: name, ok: true, ...r, ms: ms() });
  } catch (e) {
    emit({ case: name, ok: false, error: `${e?.name ?? "Error"}: ${e?.message ?? e}`,
           status: e?.status ?? e?.status_code ?? null, ms: ms() });
  }
}
// What a client's error says, for the cases that expect one.
function described(e) {
  return {
    threw: true,
    name: e?.name ?? null,            // "AbortError" for a DOMException
    class: e?.constructor?.name ?? null,
    message: e?.error?.message ?? e?.error ?? e?.message ?? String(e),
    status: e?.status ?? e?.status_code ?? null,
    retry_after: e?.headers?.get?.("retry-after") ?? null,
    is_not_found: e instanceof OpenAI.NotFoundError,
    is_rate_limit: e instanceof OpenAI.RateLimitError,
    is_user_abort: e instanceof OpenAI.APIUserAbortError,
  };
}
async function expectError(fn) {
  try { return { threw: false, value: await fn() }; } catch (e) { return described(e); }
}

const ollama = new Ollama({ host: opt.url });

async function ollamaCases() {
  await run("ollama.list", async () => {
    const r = await ollama.list();
    return { names: r.models.map((m) => m.name), has_details: r.models.every((m) => typeof m.details === "object") };
  });
  await run("ollama.show", async () => {
    const r = await ollama.show({ model: opt.model });
    return { family: r.details?.family ?? null, format: r.details?.format ?? null,
             has_template: typeof r.template === "string" && r.template.length > 0,
             has_model_info: r.model_info != null };
  });
  await run("ollama.chat", async () => {
    const r = await ollama.chat({ model: opt.model, messages: question(1), options: { temperature: 0 } });
    return { text: r.message.content, role: r.message.role, done: r.done, done_reason: r.done_reason,
             eval_count: r.eval_count ?? null };
  });
  await run("ollama.chat.stream", async () => {
    const stream = await ollama.chat({ model: opt.model, messages: question(2), stream: true });
    let text = "", parts = 0, last = null;
    for await (const part of stream) { parts++; text += part.message.content; last = part; }
    return { text, parts, done: last?.done ?? false, done_reason: last?.done_reason ?? null,
             eval_count: last?.eval_count ?? null };
  });
  await run("ollama.generate", async () => {
    const r = await ollama.generate({ model: opt.model, prompt: "Why is the sky blue? (client case 3)" });
    return { text: r.response, done: r.done, done_reason: r.done_reason };
  });
  await run("ollama.generate.stream", async () => {
    const stream = await ollama.generate({ model: opt.model, prompt: "Why is the sky blue? (client case 4)", stream: true });
    let text = "", parts = 0, last = null;
    for await (const part of stream) { parts++; text += part.response; last = part; }
    return { text, parts, done: last?.done ?? false };
  });
  // After the chats: the model is loaded now.
  await run("ollama.ps", async () => {
    const r = await ollama.ps();
    return { names: r.models.map((m) => m.name) };
  });
  if (opt.pull) {
    await run("ollama.pull", async () => {
      const stream = await ollama.pull({ model: opt.pull, stream: true });
      const statuses = [];
      let completed = 0;
      for await (const p of stream) {
        if (!statuses.includes(p.status)) statuses.push(p.status);
        if (typeof p.completed === "number") completed = Math.max(completed, p.completed);
      }
      const after = await ollama.list();
      return { statuses, last: statuses.at(-1) ?? null, completed, listed: after.models.map((m) => m.name) };
    });
  }
  // Abort mid-stream, two ways: the stream's own abort() and the client's abort() (every
  // stream it has open).  The next request must still be answered.
  await run("ollama.abort.stream", async () => {
    const stream = await ollama.chat({ model: opt.slow, messages: question(5), stream: true });
    let parts = 0, text = "";
    const r = await expectError(async () => {
      for await (const part of stream) {
        parts++; text += part.message.content;
        if (parts === 2) stream.abort();
      }
    });
    return { parts, text, ...r };
  });
  await run("ollama.abort.client", async () => {
    const stream = await ollama.generate({ model: opt.slow, prompt: "Why is the sky blue? (client case 6)", stream: true });
    let parts = 0;
    const r = await expectError(async () => {
      for await (const part of stream) {
        parts++;
        if (parts === 2) ollama.abort();
      }
    });
    return { parts, ...r };
  });
  await run("ollama.after-abort", async () => {
    const r = await ollama.chat({ model: opt.slow, messages: question(7) });
    return { text: r.message.content, done: r.done };
  });
  await run("ollama.error.unknown-model", async () =>
    expectError(() => ollama.chat({ model: "no-such-model", messages: question(8) })));
  await run("ollama.error.unknown-model.stream", async () =>
    expectError(async () => {
      const stream = await ollama.chat({ model: "no-such-model", messages: question(9), stream: true });
      for await (const _ of stream) { /* nothing should arrive */ }
    }));
}

// Every attempt a client makes, through its fetch: status and time.
function countingFetch(attempts, onResponse) {
  return async (url, init) => {
    const t = performance.now();
    const res = await fetch(url, init);
    attempts.push({ status: res.status, at_ms: t, retry_after: res.headers.get("retry-after") });
    if (onResponse) await onResponse(res);
    return res;
  };
}

async function openaiCases() {
  const client = new OpenAI({ baseURL: `${opt.url}/v1`, apiKey: "unused", maxRetries: 0 });
  await run("openai.models.list", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return { ids };
  });
  await run("openai.chat", async () => {
    const r = await client.chat.completions.create({ model: opt.model, messages: question(10), temperature: 0 });
    return { text: r.choices[0]?.message?.content ?? null, role: r.choices[0]?.message?.role ?? null,
             finish_reason: r.choices[0]?.finish_reason ?? null, object: r.object,
             completion_tokens: r.usage?.completion_tokens ?? null };
  });
  await run("openai.chat.stream", async () => {
    const stream = await client.chat.completions.create({ model: opt.model, messages: question(11), stream: true });
    let text = "", chunks = 0, finish = null, usage = null;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    return { text, chunks, finish_reason: finish, usage };
  });
  await run("openai.chat.stream.usage", async () => {
    const stream = await client.chat.completions.create({
      model: opt.model, messages: question(12), stream: true, stream_options: { include_usage: true },
    });
    let text = "", usage = null, usage_choices = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      if (c.usage) { usage = c.usage; usage_choices = c.choices.length; }
    }
    return { text, usage, usage_choices };
  });
  await run("openai.abort", async () => {
    const ctl = new AbortController();
    let chunks = 0, text = "";
    const r = await expectError(async () => {
      const stream = await client.chat.completions.create(
        { model: opt.slow, messages: question(13), stream: true }, { signal: ctl.signal });
      for await (const c of stream) {
        chunks++; text += c.choices[0]?.delta?.content ?? "";
        if (chunks === 2) ctl.abort();
      }
    });
    return { chunks, text, ...r };
  });
  await run("openai.after-abort", async () => {
    const r = await client.chat.completions.create({ model: opt.slow, messages: question(14) });
    return { text: r.choices[0]?.message?.content ?? null };
  });
  await run("openai.error.unknown-model", async () =>
    expectError(() => client.chat.completions.create({ model: "no-such-model", messages: question(15) })));
  await run("openai.error.unknown-model.stream", async () =>
    expectError(async () => {
      const stream = await client.chat.completions.create({ model: "no-such-model", messages: question(16), stream: true });
      for await (const _ of stream) { /* nothing should arrive */ }
    }));
}

// The --slow server's queue is full (the test made it so): a client gets 429 with Retry-After.
async function fullCases() {
  await run("openai.429.no-retry", async () => {
    const attempts = [];
    const client = new OpenAI({ baseURL: `${opt.url}/v1`, apiKey: "unused", maxRetries: 0,
                                fetch: countingFetch(attempts) });
    const r = await expectError(() => client.chat.completions.create({ model: opt.slow, messages: question(20) }));
    return { attempts: attempts.map((a) => a.status), ...r };
  });
  await run("ollama.429", async () =>
    expectError(() => ollama.chat({ model: opt.slow, messages: question(21) })));
  await run("openai.429.stream", async () => {
    const client = new OpenAI({ baseURL: `${opt.url}/v1`, apiKey: "unused", maxRetries: 0 });
    return expectError(async () => {
      const stream = await client.chat.completions.create({ model: opt.slow, messages: question(22), stream: true });
      for await (const _ of stream) { /* nothing should arrive */ }
    });
  });
  // openai-node retries a 429 after the Retry-After the gateway sent; the test makes room as
  // soon as the first 429 is seen, so the retry is answered.
  await run("openai.429.retry", async () => {
    const attempts = [];
    let signalled = false;
    const client = new OpenAI({
      baseURL: `${opt.url}/v1`, apiKey: "unused", maxRetries: 2,
      fetch: countingFetch(attempts, async (res) => {
        if (res.status === 429 && !signalled) { signalled = true; emit({ signal: "first-429" }); }
      }),
    });
    const r = await expectError(() => client.chat.completions.create({ model: opt.slow, messages: question(23) }));
    const gaps = attempts.slice(1).map((a, i) => Math.round(a.at_ms - attempts[i].at_ms));
    return { attempts: attempts.map((a) => a.status), retry_after: attempts[0]?.retry_after ?? null,
             gaps_ms: gaps, text: r.threw ? null : r.value.choices[0]?.message?.content ?? null,
             threw: r.threw, name: r.name ?? null, message: r.message ?? null };
  });
}

if (opt.phase === "full") {
  await fullCases();
} else {
  await ollamaCases();
  await openaiCases();
}
emit({ case: "end", ok: true });
