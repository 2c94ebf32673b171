// Latency the compressing proxy adds, measured on 127.0.0.1 against a fake Anthropic upstream.
// Run `npm run build` first: the proxy is imported from ../dist.
//
// Usage: node scripts/bench-proxy.mjs [--json] [--n 1000] [--n-big 300] [--n-session 100]
//                                     [--n-stream 200] [--concurrent 100] [--cpu-prof DIR]
//   --cpu-prof DIR   write a V8 CPU profile of the proxy process to DIR (open it in Chrome DevTools)
//
// The client (this process), the fake upstream and the proxy each run in their own process, as
// they do in real use, so the figures are not three event loops' work added together. Every loop
// is bounded, every request has a timeout, and a watchdog ends the run if it ever stalls.
// HEADROOM_HOME points at a temporary directory (CCR store and ledger), removed at the end.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const SELF = fileURLToPath(import.meta.url);
/** How long the fake upstream waits between message_start and the rest of a stream. */
const STREAM_GAP_MS = 50;
const REQUEST_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 15 * 60_000;
/** The real tool output the compressed cases carry, cut to about this many characters. */
const BIG_OUTPUT_CHARS = 100 * 1024;
const WORKLOAD = 'p02-sre-postgres-deadlock-crash';

// ---------------------------------------------------------------------------------------------
// The benchmark (client process)

async function main(opts) {
  const home = mkdtempSync(join(tmpdir(), 'headroom-bench-proxy-'));
  const env = { ...process.env, HEADROOM_HOME: home };
  const children = [];
  const agent = new Agent({ connections: 256, keepAliveTimeout: 60_000, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench-proxy: no result after ${WATCHDOG_MS / 60_000} min, giving up\n`);
    for (const c of children) c.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  try {
    const fake = await startChild(['fake-upstream'], env, [], children);
    const profArgs = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : [];
    const proxy = await startChild(['proxy', fake.url, home], env, profArgs, children);
    const client = new Client(agent, fake.url, proxy.url);
    const bigOutput = realToolOutput();
    const results = {
      passThrough: await benchPassThrough(client, opts.n),
      firstSight: await benchFirstSight(client, bigOutput, opts.nBig),
      replay: await benchReplay(client, (marker) => bigRequest(marker, bigOutput, false), opts.nBig, 'bench-replay'),
      sessionReplay: await benchReplay(client, sessionRequest, opts.nSession, 'bench-session'),
      firstByte: await benchFirstByte(client, opts.nStream),
      concurrent: await benchConcurrent(client, bigOutput, opts.concurrent),
    };
    const proxyStats = await client.json(`${proxy.url}/stats`);
    const eventLoop = await stopChild(proxy.child, 'close');
    const report = {
      node: process.version,
      cpus: cpus().length,
      bigOutput: { workload: WORKLOAD, chars: bigOutput.length },
      session: { bytes: Buffer.byteLength(sessionRequest('x')), messages: sessionMessages.length, toolOutputs: sessionMessages.flatMap((m) => m.content).filter((c) => c.type === 'tool_result').length },
      streamGapMs: STREAM_GAP_MS,
      results,
      proxy: { requests: proxyStats.requests, tokens: proxyStats.tokens, sessions: proxyStats.sessions, eventLoop },
    };
    if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else printReport(report);
  } finally {
    await agent.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
    rmSync(home, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

function parseArgs(argv) {
  const opts = { json: false, n: 1000, nBig: 300, nSession: 100, nStream: 200, concurrent: 100, cpuProf: undefined };
  const numbers = { '--n': 'n', '--n-big': 'nBig', '--n-session': 'nSession', '--n-stream': 'nStream', '--concurrent': 'concurrent' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--cpu-prof') opts.cpuProf = argv[++i];
    else if (numbers[a]) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1 || v > 100_000) throw new Error(`${a} needs a whole number from 1 to 100000`);
      opts[numbers[a]] = v;
    } else throw new Error(`bench-proxy: unknown option ${a}`);
  }
  if (opts.cpuProf === undefined && argv.includes('--cpu-prof')) throw new Error('--cpu-prof needs a directory');
  return opts;
}

/** 1. A small request with nothing to compress, direct and through the proxy, interleaved. */
async function benchPassThrough(client, n) {
  const warm = Math.min(200, n);
  const direct = [];
  const proxied = [];
  for (let i = 0; i < warm + n; i++) {
    const d = await client.messages('direct', smallRequest(`small-d-${i}`, false), `bench-small`);
    const p = await client.messages('proxy', smallRequest(`small-p-${i}`, false), `bench-small`);
    // Failed requests are counted in errors, not timed.
    if (i >= warm && d.ok && p.ok) direct.push(d.ms), proxied.push(p.ms);
  }
  return comparison(direct, proxied, client.takeErrors());
}

/** 2a. A new ~100 KB tool output in a new session each time: compressed on the spot. */
async function benchFirstSight(client, output, n) {
  const warm = Math.min(30, n);
  const direct = [];
  const proxied = [];
  const forwarded = [];
  for (let i = 0; i < warm + n; i++) {
    // A unique first line keeps the session memo (keyed by the output's hash) from hitting.
    const body = (tag) => bigRequest(`first-${tag}-${i}`, `bench run ${tag}${i} ${randomUUID()}\n${output}`, false);
    const d = await client.messages('direct', body('d'), `bench-first-d-${i}`);
    const p = await client.messages('proxy', body('p'), `bench-first-p-${i}`);
    if (i >= warm && d.ok && p.ok) direct.push(d.ms), proxied.push(p.ms), forwarded.push(p.upstreamBytes);
  }
  return { ...comparison(direct, proxied, client.takeErrors()), forwardedBytes: { original: Buffer.byteLength(bigRequest('x', output, false)), proxied: percentile(forwarded, 50) } };
}

/**
 * 2b/2c. The same tool outputs again in one session (only the question's marker changes): every
 * output replayed from the memo, which is what each later turn of a real session costs.
 */
async function benchReplay(client, bodyFor, n, session) {
  const warm = Math.min(30, n);
  const direct = [];
  const proxied = [];
  const forwarded = [];
  for (let i = 0; i < warm + n; i++) {
    const d = await client.messages('direct', bodyFor(`${session}-d-${i}`), session);
    const p = await client.messages('proxy', bodyFor(`${session}-p-${i}`), session);
    if (i >= warm && d.ok && p.ok) direct.push(d.ms), proxied.push(p.ms), forwarded.push(p.upstreamBytes);
  }
  return { ...comparison(direct, proxied, client.takeErrors()), forwardedBytes: { original: Buffer.byteLength(bodyFor('x')), proxied: percentile(forwarded, 50) } };
}

/** 3. Time to the first streamed body byte (message_start, sent before a 50 ms pause). */
async function benchFirstByte(client, n) {
  const warm = Math.min(20, n);
  const direct = [];
  const proxied = [];
  let heldBack = 0;
  for (let i = 0; i < warm + n; i++) {
    const d = await client.stream('direct', smallRequest(`ttfb-d-${i}`, true), 'bench-ttfb');
    const p = await client.stream('proxy', smallRequest(`ttfb-p-${i}`, true), 'bench-ttfb');
    if (i < warm || !d.ok || !p.ok) continue;
    direct.push(d.firstByteMs);
    proxied.push(p.firstByteMs);
    // message_start arriving only with the rest means the proxy buffered the stream.
    if (p.firstByteMs >= STREAM_GAP_MS) heldBack++;
  }
  return { ...comparison(direct, proxied, client.takeErrors()), heldBack };
}

/** 4. Many streams at once through the proxy, each its own session and its own new output. */
async function benchConcurrent(client, output, count) {
  const bodies = Array.from({ length: count }, (_, i) => bigRequest(`conc-${i}`, `bench concurrent ${i} ${randomUUID()}\n${output}`, true));
  const started = performance.now();
  const runs = await Promise.all(bodies.map((body, i) => client.stream('proxy', body, `bench-conc-${i}`)));
  const wallMs = performance.now() - started;
  const ok = runs.filter((r) => r.ok);
  return {
    requests: count,
    ok: ok.length,
    errors: client.takeErrors(),
    wallMs: round(wallMs),
    firstByteMs: summary(ok.map((r) => r.firstByteMs)),
    totalMs: summary(ok.map((r) => r.ms)),
  };
}

/** Percentiles of both sides and the difference of their p50s and p99s. */
function comparison(direct, proxied, errors) {
  const d = summary(direct);
  const p = summary(proxied);
  return { n: direct.length, errors, direct: d, proxied: p, addedP50: round(p.p50 - d.p50), addedP99: round(p.p99 - d.p99) };
}

function summary(values) {
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: round(Math.max(...values, 0)) };
}

/** Nearest-rank percentile. */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

function round(ms) {
  return Math.round(ms * 1000) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Requests

function smallRequest(marker, stream) {
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are a coding agent working in a git repository.' }],
    tools: [{ name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: `What does this repository do? [bench ${marker}]` }] }],
    stream,
  });
}

const WORKLOADS_DIR = new URL('../fixtures/workloads/', import.meta.url);
const workload = readWorkload(WORKLOAD);
/** Every workload's turns one after another: the shape of a late request in a long session. */
const sessionMessages = readdirSync(WORKLOADS_DIR).filter((d) => /^p\d\d-/.test(d)).sort().flatMap((d) => readWorkload(d).messages);

function readWorkload(name) {
  return JSON.parse(readFileSync(new URL(`${name}/request.json`, WORKLOADS_DIR), 'utf8'));
}

/** A request in the workload's shape with these messages and a marker after the first question. */
function requestBody(messages, marker, stream) {
  const [first, ...rest] = messages;
  const content = first.content.map((c, i) => (i === 0 ? { ...c, text: `${c.text}\n\n[bench ${marker}]` } : c));
  return JSON.stringify({ ...workload, messages: [{ ...first, content }, ...rest], stream });
}

/** The workload's request with its tool output replaced by `output`. */
function bigRequest(marker, output, stream) {
  const messages = workload.messages.map((m) => ({ ...m, content: m.content.map((c) => (c.type === 'tool_result' ? { ...c, content: output } : c)) }));
  return requestBody(messages, marker, stream);
}

/** The whole corpus as one conversation, not streamed. */
function sessionRequest(marker) {
  return requestBody(sessionMessages, marker, false);
}

/** The workload's log, cut at a line end to about BIG_OUTPUT_CHARS. */
function realToolOutput() {
  const full = workload.messages.flatMap((m) => m.content).find((c) => c.type === 'tool_result').content;
  const cut = full.lastIndexOf('\n', BIG_OUTPUT_CHARS);
  return full.slice(0, cut + 1);
}

/** What the fake upstream answers for a request: its marker and the session header it saw. */
function expectedEcho(marker, session) {
  return `echo ${marker} session=${session}`;
}

class Client {
  #errors = [];
  constructor(agent, directUrl, proxyUrl) {
    this.agent = agent;
    this.base = { direct: directUrl, proxy: proxyUrl };
  }

  /** A non-streamed /v1/messages call; checks the answer is the one for this request. */
  async messages(via, body, session) {
    const marker = markerOf(body);
    const t0 = performance.now();
    try {
      const res = await request(`${this.base[via]}/v1/messages`, this.#options(body, session));
      const text = await res.body.text();
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) return this.#fail(via, `status ${res.statusCode}: ${text.slice(0, 200)}`, ms);
      const got = JSON.parse(text).content?.[0]?.text;
      if (got !== expectedEcho(marker, session)) return this.#fail(via, `answer for another request: ${got}`, ms);
      return { ok: true, ms, upstreamBytes: Number(res.headers['x-fake-received-bytes']) };
    } catch (err) {
      return this.#fail(via, String(err), performance.now() - t0);
    }
  }

  /** A streamed call: time to the first body byte, total time, and a check of the whole stream. */
  async stream(via, body, session) {
    const marker = markerOf(body);
    const t0 = performance.now();
    try {
      const res = await request(`${this.base[via]}/v1/messages`, this.#options(body, session));
      let firstByteMs;
      const chunks = [];
      for await (const chunk of res.body) {
        firstByteMs ??= performance.now() - t0;
        chunks.push(chunk);
      }
      const ms = performance.now() - t0;
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode !== 200) return this.#fail(via, `status ${res.statusCode}: ${text.slice(0, 200)}`, ms);
      const problem = streamProblem(text, expectedEcho(marker, session));
      if (problem) return this.#fail(via, problem, ms);
      return { ok: true, ms, firstByteMs };
    } catch (err) {
      return this.#fail(via, String(err), performance.now() - t0);
    }
  }

  async json(url) {
    const res = await request(url, { dispatcher: this.agent });
    return res.body.json();
  }

  /** Errors since the last call, grouped by message (at most a few kinds are expected). */
  takeErrors() {
    const byMessage = {};
    for (const e of this.#errors) byMessage[`${e.via}: ${e.message}`] = (byMessage[`${e.via}: ${e.message}`] ?? 0) + 1;
    const total = this.#errors.length;
    this.#errors = [];
    return { total, byMessage };
  }

  #options(body, session) {
    return {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'sk-ant-bench-not-a-key',
        'x-claude-code-session-id': session,
      },
      body,
    };
  }

  #fail(via, message, ms) {
    this.#errors.push({ via, message: message.replace(/\d+/g, 'N').slice(0, 160) });
    return { ok: false, ms, firstByteMs: ms, upstreamBytes: NaN };
  }
}

function markerOf(body) {
  return /\[bench ([^\]]+)\]/.exec(body)[1];
}

/** Why a relayed Anthropic stream is not the complete stream for this request, or undefined. */
function streamProblem(text, expected) {
  const events = text.split('\n\n').filter((e) => e.trim() !== '').map((e) => {
    const data = e.split('\n').find((l) => l.startsWith('data: '));
    return data ? JSON.parse(data.slice(6)) : {};
  });
  if (events[0]?.type !== 'message_start') return `stream starts with ${events[0]?.type}`;
  if (events.at(-1)?.type !== 'message_stop') return `stream ends with ${events.at(-1)?.type}`;
  const got = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta.text).join('');
  return got === expected ? undefined : `stream for another request: ${got}`;
}

// ---------------------------------------------------------------------------------------------
// Output

function printReport(r) {
  const line = (cols) => console.log(cols.map((c, i) => (i === 0 ? String(c).padEnd(34) : String(c).padStart(9))).join(''));
  const errs = (e) => (e.total === 0 ? '0' : `${e.total} ${JSON.stringify(e.byMessage)}`);
  console.log(`headroom proxy latency (ms), node ${r.node}, ${r.cpus} CPUs, client/proxy/upstream in separate processes on 127.0.0.1`);
  console.log(`compressed cases: ${r.bigOutput.chars} chars of ${r.bigOutput.workload}'s log in an Anthropic request\n`);
  line(['', 'p50', 'p90', 'p99', 'max', '+p50', '+p99']);
  const rows = [
    ['1. small, nothing to compress', r.results.passThrough],
    ['2a. 100 KB output, first sight', r.results.firstSight],
    ['2b. 100 KB output, memo replay', r.results.replay],
    [`2c. ${(r.session.bytes / 1e6).toFixed(1)} MB conversation, memo replay`, r.results.sessionReplay],
    ['3. stream, time to first byte', r.results.firstByte],
  ];
  for (const [name, c] of rows) {
    console.log(`${name}  (n=${c.n} each way, errors: ${errs(c.errors)})`);
    line(['   direct', c.direct.p50, c.direct.p90, c.direct.p99, c.direct.max]);
    line(['   through the proxy', c.proxied.p50, c.proxied.p90, c.proxied.p99, c.proxied.max, c.addedP50, c.addedP99]);
  }
  const fs = r.results.firstSight.forwardedBytes;
  const ss = r.results.sessionReplay.forwardedBytes;
  console.log(`\n2c is every workload's turns as one request (${r.session.messages} messages, ${r.session.toolOutputs} tool outputs).`);
  console.log(`bytes forwarded upstream: 100 KB request ${fs.original} direct, ${fs.proxied} proxied; 2c ${ss.original} direct, ${ss.proxied} proxied`);
  console.log(`streams whose first byte came only after the ${r.streamGapMs} ms pause (held back): ${r.results.firstByte.heldBack}`);
  const c = r.results.concurrent;
  console.log(`\n4. ${c.requests} concurrent streams through the proxy, each a new session with its own 100 KB output`);
  console.log(`   ok ${c.ok}, errors ${errs(c.errors)}, wall ${c.wallMs} ms`);
  line(['   time to first byte', c.firstByteMs.p50, c.firstByteMs.p90, c.firstByteMs.p99, c.firstByteMs.max]);
  line(['   whole stream', c.totalMs.p50, c.totalMs.p90, c.totalMs.p99, c.totalMs.max]);
  const q = r.proxy.requests;
  console.log(`\nproxy /stats: ${q.total} requests, ${q.compressed} compressed, ${q.failedOpen} failed open, ${q.upstreamErrors} upstream errors, ${r.proxy.sessions} sessions`);
  const loop = r.proxy.eventLoop;
  if (loop) console.log(`proxy event loop delay over the run (ms): p50 ${loop.p50}, p99 ${loop.p99}, max ${loop.max}`);
}

// ---------------------------------------------------------------------------------------------
// Child processes

/** Forks this script in another role and waits for the URL it listens on. */
function startChild(args, env, execArgv, children) {
  const child = fork(SELF, args, { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: m.url }));
    child.once('exit', (code) => reject(new Error(`bench-proxy: the ${args[0]} process exited (${code}) before listening`)));
  });
}

/** Asks a child to finish (the proxy flushes its ledger) and waits for it, 10 s at most; resolves with its last message. */
function stopChild(child, messageText) {
  return new Promise((resolve) => {
    let last;
    child.on('message', (m) => (last = m));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(last);
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(last);
    });
    child.send(messageText);
  });
}

async function runProxy(upstreamUrl, home) {
  const { startProxy } = await import('../dist/proxy/server.js');
  const proxy = await startProxy({ port: 0, upstreams: { anthropic: upstreamUrl }, ledgerDir: join(home, 'ledger'), log: (l) => process.stderr.write(`proxy: ${l}\n`) });
  // How long the proxy's event loop was held at a time: every other request waits that long.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('message', async (m) => {
    if (m !== 'close') return;
    loop.disable();
    const ms = (ns) => round(ns / 1e6);
    await new Promise((sent) => process.send({ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) }, sent));
    await proxy.close();
    process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ url: proxy.url });
}

/**
 * A minimal Anthropic /v1/messages upstream: answers at once with the request's marker and the
 * session header it received, as JSON or as a stream whose message_start leaves at once and
 * whose remaining events follow STREAM_GAP_MS later.
 */
async function runFakeUpstream() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      if (req.method !== 'POST' || req.url !== '/v1/messages' || !body) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"invalid_request_error","message":"fake upstream: bad request"}}');
        return;
      }
      const marker = /\[bench ([^\]]+)\]/.exec(body.messages[0].content[0].text)?.[1];
      const text = expectedEcho(marker, req.headers['x-claude-code-session-id']);
      const headers = { 'request-id': 'req_fake', 'x-fake-received-bytes': String(raw.length) };
      if (body.stream) streamAnswer(res, headers, text);
      else {
        const json = JSON.stringify(message(text, 'end_turn', 12));
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('disconnect', () => process.exit(0));
}

function message(text, stopReason, outputTokens) {
  return {
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: text === undefined ? [] : [{ type: 'text', text }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
  };
}

function streamAnswer(res, headers, text) {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(ev('message_start', { message: message(undefined, null, 1) }));
  setTimeout(() => {
    const half = Math.ceil(text.length / 2);
    res.end(
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: text.slice(0, half) } }) +
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: text.slice(half) } }) +
        ev('content_block_stop', { index: 0 }) +
        ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } }) +
        ev('message_stop', {}),
    );
  }, STREAM_GAP_MS);
}

// ---------------------------------------------------------------------------------------------
// Entry: last, so every constant above is initialised before a role runs.

const role = process.argv[2];
if (role === 'fake-upstream') await runFakeUpstream();
else if (role === 'proxy') await runProxy(process.argv[3], process.argv[4]);
else await main(parseArgs(process.argv.slice(2)));
