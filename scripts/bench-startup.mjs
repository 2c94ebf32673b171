#!/usr/bin/env node
// How long headroom takes to start, next to the same without headroom (run `npm run build` first):
// - `headroom --help` and `headroom stats --json` (on an empty HEADROOM_HOME), next to `node -e 0`;
// - `headroom wrap`: the time from launch to the agent's first byte on the terminal, wrapped and
//   direct, under a real PTY (node-pty), with the stand-in agent (test/helpers/fake-agent.mjs) and
//   with the real Codex CLI (`codex --version`, and its first interactive screen, whose model
//   provider points at a loopback server that answers Messages requests and 404s the rest);
// - the stand-in agent sending one request with a 60 KB log as its tool output at once: the time
//   to its answer, which through headroom includes loading the compressor for the first request.
// Each case runs --runs times, the cases interleaved (so a busy machine slows them alike), and
// the median is reported; compare the differences, not the absolute figures, across machines.
// The terminal answers cursor position queries, as a real one does (Codex and headroom ask).
// What importing each library entry costs is measured by scripts/bench-import.mjs (npm run bench:import).
// Usage: node scripts/bench-startup.mjs [--runs N] [--cli path/to/dist/cli.js] [--json]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', 9));
const cli = resolve(arg('--cli', join(root, 'dist/cli.js')));
const json = process.argv.includes('--json');
const fakeAgent = join(root, 'test/helpers/fake-agent.mjs');
const agentsDir = resolve(process.env.HEADROOM_AGENTS_DIR ?? join(root, '.cache/agents'));
const codexBin = join(agentsDir, 'node_modules/.bin/codex');

const scratch = mkdtempSync(join(tmpdir(), 'headroom-bench-startup-'));
const bin = join(scratch, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'claude'), `#!/bin/sh\nexec "${process.execPath}" "${fakeAgent}" --as claude "$@"\n`, { mode: 0o755 });
const emptyHome = join(scratch, 'empty-home');
const baseEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TERM: 'xterm-256color', HEADROOM_HOME: join(scratch, 'headroom'), HEADROOM_ANTHROPIC_UPSTREAM: 'http://127.0.0.1:9' };

/** Milliseconds from spawn to exit of a plain (no terminal) command. */
function timeExit(file, args, env = baseEnv) {
  return new Promise((resolveRun, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveRun(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${file} ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Milliseconds from spawn to the first appearance of `marker` on a terminal the command runs
 * in; the command is then ended (q, then SIGKILL) and its exit awaited.
 */
function timeFirstScreen(file, args, marker, env = baseEnv) {
  return new Promise((resolveRun, reject) => {
    const t0 = process.hrtime.bigint();
    const term = pty.spawn(file, args, { cols: 120, rows: 40, cwd: scratch, env, encoding: null });
    let seen = '';
    let ms;
    const wanted = Buffer.from(marker, 'utf8').toString('latin1'); // the output is read byte for byte
    const timer = setTimeout(() => {
      term.kill('SIGKILL');
      reject(new Error(`no "${marker}" from ${file} ${args.join(' ')} in 60 s; it wrote: ${JSON.stringify(seen.slice(-500))}`));
    }, 60_000);
    term.onData((d) => {
      const text = d.toString('latin1');
      // A terminal answers where its cursor is; the position does not matter here.
      for (let i = text.indexOf('\x1b[6n'); i >= 0; i = text.indexOf('\x1b[6n', i + 1)) term.write('\x1b[1;1R');
      if (ms !== undefined) return;
      seen += text;
      if (seen.includes(wanted)) {
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        term.write('q');
        setTimeout(() => term.kill('SIGKILL'), 300);
      }
      if (seen.length > 1e5) seen = seen.slice(-1e4);
    });
    term.onExit(() => {
      clearTimeout(timer);
      if (ms === undefined) reject(new Error(`${file} ${args.join(' ')} exited before "${marker}": ${JSON.stringify(seen.slice(-500))}`));
      else resolveRun(ms);
    });
  });
}

/** A loopback model API: a Messages request gets a short answer, anything else a 404. */
async function modelServer() {
  const server = createServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && req.url?.startsWith('/v1/messages')) {
      const answer = { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } };
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not here"}}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = await modelServer();
const logFile = join(scratch, 'build.log');
writeFileSync(logFile, Array.from({ length: 800 }, (_, i) => `2026-03-01T12:${String(i % 60).padStart(2, '0')}:00Z INFO worker-${i % 8} handled request ${i} in 12ms\n`).join('') + 'ERROR payment-api: connection pool exhausted\n');
const askEnv = { ...baseEnv, FAKE_AGENT_MODE: 'ask', FAKE_TOOL_OUTPUT_FILE: logFile, HEADROOM_ANTHROPIC_UPSTREAM: server.url };
const codexHome = join(scratch, 'codex-home');
mkdirSync(codexHome);
const codexConfig = ['check_for_update_on_startup=false', 'analytics.enabled=false', 'features.plugins=false', `projects."${scratch}".trust_level="trusted"`, 'model="gpt-5"'];
const codexProvider = ['model_provider="headroom"', `model_providers.headroom={name="headroom", base_url="${server.url}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=false}`];
const codexArgs = (overrides) => [...overrides, ...codexConfig].flatMap((c) => ['-c', c]).concat(['-s', 'danger-full-access', '-a', 'never']);
const codexEnv = { ...baseEnv, CODEX_HOME: codexHome, OPENAI_API_KEY: 'dummy', HEADROOM_OPENAI_UPSTREAM: server.url };

/** name -> a function timing one run, in ms. */
const cases = {
  'node -e 0': () => timeExit(process.execPath, ['-e', '0']),
  'headroom --help': () => timeExit(process.execPath, [cli, '--help']),
  'headroom stats --json (empty home)': () => timeExit(process.execPath, [cli, 'stats', '--json'], { ...baseEnv, HEADROOM_HOME: emptyHome }),
  'stand-in agent, direct: first byte': () => timeFirstScreen(process.execPath, [fakeAgent, '--as', 'claude'], 'TTY', { ...baseEnv, FAKE_AGENT_MODE: 'wait' }),
  'stand-in agent, headroom wrap: first byte': () => timeFirstScreen(process.execPath, [cli, 'wrap', 'claude'], 'TTY', { ...baseEnv, FAKE_AGENT_MODE: 'wait' }),
  'stand-in agent, direct: first answer': () => timeFirstScreen(process.execPath, [fakeAgent, '--as', 'claude'], 'ANSWER', { ...askEnv, ANTHROPIC_BASE_URL: server.url }),
  'stand-in agent, headroom wrap: first answer': () => timeFirstScreen(process.execPath, [cli, 'wrap', 'claude'], 'ANSWER', askEnv),
};
if (existsSync(codexBin)) {
  Object.assign(cases, {
    'codex --version, direct': () => timeFirstScreen(codexBin, ['--version'], 'codex-cli', codexEnv),
    'codex --version, headroom wrap': () => timeFirstScreen(process.execPath, [cli, 'wrap', 'codex', '--', '--version'], 'codex-cli', { ...codexEnv, PATH: `${dirname(codexBin)}:${codexEnv.PATH}` }),
    'codex first screen, direct': () => timeFirstScreen(codexBin, codexArgs(codexProvider), '›', codexEnv),
    'codex first screen, headroom wrap': () => timeFirstScreen(process.execPath, [cli, 'wrap', 'codex', '--', ...codexArgs([])], '›', { ...codexEnv, PATH: `${dirname(codexBin)}:${codexEnv.PATH}` }),
  });
} else {
  process.stderr.write(`no Codex CLI in ${agentsDir} (node scripts/install-agents.mjs): its cases are skipped\n`);
}

const runs = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(cases)) {
      process.stderr.write(`\r\x1b[Krun ${i + 1}/${RUNS}: ${name}`);
      runs[name].push(await run());
    }
  }
  process.stderr.write('\r\x1b[K');
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}

const medians = Object.fromEntries(Object.entries(runs).map(([name, ms]) => [name, median(ms)]));
const added = (wrapped, direct) => (medians[wrapped] !== undefined && medians[direct] !== undefined ? medians[wrapped] - medians[direct] : undefined);
const summary = {
  cli,
  runs: RUNS,
  medianMs: medians,
  addedMs: {
    'headroom --help over node -e 0': added('headroom --help', 'node -e 0'),
    'wrap, stand-in agent': added('stand-in agent, headroom wrap: first byte', 'stand-in agent, direct: first byte'),
    'wrap, stand-in agent, first answer': added('stand-in agent, headroom wrap: first answer', 'stand-in agent, direct: first answer'),
    'wrap, codex --version': added('codex --version, headroom wrap', 'codex --version, direct'),
    'wrap, codex first screen': added('codex first screen, headroom wrap', 'codex first screen, direct'),
  },
};
if (json) {
  console.log(JSON.stringify({ ...summary, allRunsMs: runs }, null, 2));
} else {
  console.log(`${cli}, ${RUNS} interleaved runs each, median:`);
  for (const [name, ms] of Object.entries(medians)) console.log(`  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms`);
  console.log('added by headroom:');
  for (const [name, ms] of Object.entries(summary.addedMs)) if (ms !== undefined) console.log(`  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms`);
}
