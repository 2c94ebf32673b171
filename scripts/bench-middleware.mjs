// Latency headroomFetch adds in-process to a request with nothing to compress, against a fake
// Anthropic upstream on 127.0.0.1. Run `npm run build` first: the middleware is imported from ../dist.
//
// Usage: node scripts/bench-middleware.mjs [--json] [--n 2000]
//
// The fake upstream runs in a child process, so its work is not counted in the client's event
// loop. Plain fetch and headroomFetch requests alternate (A, B, A, B, ...) after a warm-up, and
// the figure is the median of the per-pair differences, so machine load shared by both cancels;
// headroomFetch's own work before it hands the request on is timed too (no network in it).
// Two requests: a chat without tools (forwarded byte for byte) and an agent turn with tools and
// one short tool output (read, nothing compressed, headroom_retrieve added, the JSON answer read).
// HEADROOM_HOME points at a temporary directory (the CCR store), removed at the end.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 200;

const REPLY = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-bench',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 1 },
});

/** The fake upstream (child process): every POST gets the same small Anthropic message. */
function serve() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(REPLY) });
      res.end(REPLY);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
  process.on('disconnect', () => server.close(() => process.exit(0)));
}

const CASES = {
  'chat, no tools': {
    model: 'claude-bench',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Say ok.' }],
  },
  'agent turn, short tool output': {
    model: 'claude-bench',
    max_tokens: 64,
    system: 'You are a coding agent.',
    tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'What is in the directory?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'README.md\npackage.json\nsrc\n' }] },
    ],
  },
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(fetchFn, url, body) {
  const t0 = performance.now();
  const res = await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body });
  await res.text();
  if (res.status !== 200) throw new Error(`upstream answered ${res.status}`);
  return performance.now() - t0;
}

async function main(n, json) {
  const home = mkdtempSync(join(tmpdir(), 'headroom-bench-middleware-'));
  process.env.HEADROOM_HOME = home;
  const child = fork(SELF, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the fake upstream exited (${code})`)));
    });
    const { headroomFetch } = await import('../dist/middleware/index.js');
    const plain = (input, init) => fetch(input, init);
    // When headroomFetch hands the request on: the time before it is headroom's own work on the request.
    let handedOn = 0;
    const headroom = headroomFetch({
      fetch: (input, init) => {
        handedOn = performance.now();
        return fetch(input, init);
      },
    });
    const timedHeadroom = async (url, body) => {
      const t0 = performance.now();
      const ms = await timed(headroom, url, body);
      return { ms, beforeSendMs: handedOn - t0 };
    };
    const url = `http://127.0.0.1:${port}/v1/messages`;
    const results = {};
    for (const [name, request] of Object.entries(CASES)) {
      const body = JSON.stringify(request);
      for (let i = 0; i < WARMUP; i++) await timed(i % 2 ? headroom : plain, url, body);
      const a = [];
      const b = [];
      const diff = [];
      const before = [];
      for (let i = 0; i < n; i++) {
        // Alternate which goes first, so neither always gets the warmer connection.
        const first = i % 2 === 0;
        const x = first ? await timed(plain, url, body) : 0;
        const { ms: y, beforeSendMs } = await timedHeadroom(url, body);
        const z = first ? x : await timed(plain, url, body);
        before.push(beforeSendMs);
        a.push(z);
        b.push(y);
        diff.push(y - z);
      }
      const sort = (v) => [...v].sort((p, q) => p - q);
      const [sa, sb, sd, sf] = [sort(a), sort(b), sort(diff), sort(before)];
      results[name] = {
        n,
        plainP50Ms: percentile(sa, 50),
        headroomP50Ms: percentile(sb, 50),
        addedP50Ms: percentile(sd, 50),
        addedP90Ms: percentile(sd, 90),
        beforeSendP50Ms: percentile(sf, 50),
      };
    }
    if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      for (const [name, r] of Object.entries(results)) {
        const f = (v) => v.toFixed(3);
        process.stdout.write(`${name.padEnd(32)} plain p50 ${f(r.plainP50Ms)} ms  headroomFetch p50 ${f(r.headroomP50Ms)} ms  added p50 ${f(r.addedP50Ms)} ms  p90 ${f(r.addedP90Ms)} ms  own work before sending p50 ${f(r.beforeSendP50Ms)} ms  (n=${r.n} pairs)\n`);
      }
    }
  } finally {
    child.disconnect();
    rmSync(home, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args.includes('--serve')) serve();
else {
  const at = args.indexOf('--n');
  const n = at >= 0 ? Number(args[at + 1]) : 2000;
  if (!Number.isInteger(n) || n <= 0) throw new Error('--n takes a positive whole number');
  await main(n, args.includes('--json'));
}
