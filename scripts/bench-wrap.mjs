#!/usr/bin/env node
// What `headroom wrap` costs a terminal session, measured under a real PTY (node-pty) with the
// scripted fake agent (test/helpers/fake-agent.mjs) and the built CLI (run `npm run build` first):
// - keystroke-to-echo latency, wrapped minus direct (the agent echoes every byte it reads),
// - output throughput when the agent prints a large amount of text, status line on, next to
//   what the machine itself allows: `cat` of the same bytes into one PTY (no wrapper can beat
//   it, since the agent's own PTY is one of the wrapper's two), util-linux `script` (a wrapper
//   in C, two PTYs) and a bare node-pty relay (the least any PTY wrapper in Node costs).
//   Each is run --runs times, interleaved, and the median is reported: one run varies by ±20%.
// - resident memory of the headroom process while the agent sits idle.
// Usage: node scripts/bench-wrap.mjs [--keys N] [--mb N] [--runs N] [--json]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { findExecutable } from '../dist/wrap/find-executable.js';
import { holdAgentSide } from '../dist/wrap/pty-drain.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli.js');
const fakeAgent = join(root, 'test/helpers/fake-agent.mjs');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYS = arg('--keys', 500);
const MB = arg('--mb', 200);
const RUNS = arg('--runs', 5);
const json = process.argv.includes('--json');

const bin = mkdtempSync(join(tmpdir(), 'headroom-bench-bin-'));
writeFileSync(join(bin, 'claude'), `#!/bin/sh\nexec "${process.execPath}" "${fakeAgent}" --as claude "$@"\n`, { mode: 0o755 });
const home = mkdtempSync(join(tmpdir(), 'headroom-bench-home-'));
// The large file every throughput case prints: the fake agent's flood text, FLOOD DONE last.
const bigFile = join(home, 'big.txt');
writeFileSync(bigFile, 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n'.repeat(Math.ceil((MB * 1048576) / 86)) + 'FLOOD DONE\r\n');
// For throughput the wrapped "agent" is cat of that file, as in every reference case.
const catBin = join(bin, 'cat-agent');
mkdirSync(catBin);
writeFileSync(join(catBin, 'claude'), `#!/bin/sh\nexec cat "${bigFile}"\n`, { mode: 0o755 });
// A relay that does nothing but copy the agent's PTY output to its own.
const relay = join(bin, 'relay.mjs');
writeFileSync(
  relay,
  `import pty from ${JSON.stringify(join(root, 'node_modules/node-pty/lib/index.js'))};\n` +
    `import { holdAgentSide } from ${JSON.stringify(join(root, 'dist/wrap/pty-drain.js'))};\n` +
    `const p = (pty.default ?? pty).spawn(process.argv[2], process.argv.slice(3), { cols: 120, rows: 39, env: process.env, encoding: null });\n` +
    `p.onExit(holdAgentSide(p));\n` +
    `process.stdin.setRawMode(true);\np.onData((d) => process.stdout.write(d));\np.onExit(() => process.exit(0));\n`,
);
const baseEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HEADROOM_HOME: home, TERM: 'xterm-256color' };
const script = findExecutable('script', process.env.PATH);

/** how: 'wrapped' (headroom wrap claude) or 'direct' (the fake agent alone). */
function start(how, env) {
  const args = how === 'wrapped' ? [cli, 'wrap', 'claude'] : [fakeAgent, '--as', 'claude'];
  return spawnIn(process.execPath, args, env);
}

/** A program in a terminal of the bench's, read to its last byte (see src/wrap/pty-drain.ts). */
function spawnIn(file, args, env = {}) {
  const term = pty.spawn(file, args, { cols: 120, rows: 40, cwd: home, env: { ...baseEnv, ...env }, encoding: null });
  term.onExit(holdAgentSide(term));
  return term;
}

/** The throughput cases: each prints bigFile through cat, under its own terminal set-up. */
const printers = {
  'cat alone (one PTY)': () => spawnIn('cat', [bigFile]),
  ...(script ? { 'util-linux script, a C relay (two PTYs)': () => spawnIn(script, ['-q', '-c', `cat '${bigFile}'`, '/dev/null']) } : {}),
  'bare node-pty relay (two PTYs)': () => spawnIn(process.execPath, [relay, 'cat', bigFile]),
  'headroom wrap, status line on (two PTYs)': () => spawnIn(process.execPath, [cli, 'wrap', 'claude'], { PATH: `${catBin}:${baseEnv.PATH}` }),
};

function waitFor(term, text, timeoutMs = 30_000) {
  return new Promise((resolveWait, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}`)), timeoutMs);
    const sub = term.onData((d) => {
      seen += d.toString('latin1');
      if (seen.includes(text)) {
        clearTimeout(timer);
        sub.dispose();
        resolveWait();
      }
      if (seen.length > 1e5) seen = seen.slice(-1e4);
    });
  });
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function echoLatencies(how) {
  const term = start(how, { FAKE_AGENT_MODE: 'echo' });
  await waitFor(term, 'READY');
  await new Promise((r) => setTimeout(r, 300));
  const times = [];
  for (let i = 0; i < KEYS; i++) {
    const ch = String.fromCharCode(0x61 + (i % 16)); // a..p, never q
    const t0 = process.hrtime.bigint();
    const echoed = new Promise((r) => {
      const sub = term.onData((d) => {
        if (d.includes(ch.charCodeAt(0))) {
          sub.dispose();
          r();
        }
      });
    });
    term.write(ch);
    await echoed;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const exited = new Promise((r) => term.onExit(r));
    term.write('q');
  await exited;
  return times;
}

async function throughput(printer) {
  const term = printer();
  const exited = new Promise((r) => term.onExit(r));
    let bytes = 0;
  let t0;
  let tail = '';
  const done = new Promise((r) => {
    term.onData((d) => {
      // The clock starts at the file's first line: a wrapper's own start-up is not throughput.
      if (t0 === undefined) {
        const at = d.indexOf('The quick');
        if (at < 0) return;
        t0 = process.hrtime.bigint();
        d = d.subarray(at);
      }
      bytes += d.length;
      tail = (tail + d.toString('latin1')).slice(-64);
      if (tail.includes('FLOOD DONE')) r(process.hrtime.bigint());
    });
  });
  const t1 = await done;
  await exited;
  const seconds = Number(t1 - t0) / 1e9;
  return { mb: bytes / 1048576, seconds, mbPerS: bytes / 1048576 / seconds };
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function idleRss() {
  const term = start('wrapped', { FAKE_AGENT_MODE: 'echo' });
  await waitFor(term, 'READY');
  await new Promise((r) => setTimeout(r, 2000));
  const headroom = rssKb(term.pid);
  const exited = new Promise((r) => term.onExit(r));
    term.write('q');
  await exited;
  return headroom;
}

const results = {};
try {
  const direct = await echoLatencies('direct');
  const wrapped = await echoLatencies('wrapped');
  results.echo = {
    keys: KEYS,
    directP50: quantile(direct, 0.5),
    directP99: quantile(direct, 0.99),
    wrappedP50: quantile(wrapped, 0.5),
    wrappedP99: quantile(wrapped, 0.99),
  };
  results.echo.addedP50 = results.echo.wrappedP50 - results.echo.directP50;
  results.echo.addedP99 = results.echo.wrappedP99 - results.echo.directP99;
  const runs = Object.fromEntries(Object.keys(printers).map((name) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, printer] of Object.entries(printers)) {
      process.stderr.write(`throughput ${i + 1}/${RUNS}: ${name}\n`);
      runs[name].push(await throughput(printer));
    }
  }
  results.throughput = Object.entries(runs).map(([name, rs]) => ({
    name,
    mb: rs[0].mb,
    runs: rs.map((r) => r.mbPerS),
    medianMbPerS: quantile(rs.map((r) => r.mbPerS), 0.5),
  }));
  results.idleRssKb = await idleRss();
} finally {
  rmSync(bin, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const ms = (x) => `${x.toFixed(2)} ms`;
  const e = results.echo;
  console.log(`keystroke to echo (${e.keys} keys): direct p50 ${ms(e.directP50)} p99 ${ms(e.directP99)}; wrapped p50 ${ms(e.wrappedP50)} p99 ${ms(e.wrappedP99)}; added p50 ${ms(e.addedP50)} p99 ${ms(e.addedP99)}`);
  for (const t of results.throughput) {
    const each = t.runs.map((x) => x.toFixed(0)).join(', ');
    console.log(`output throughput, ${t.name}: ${t.mb.toFixed(0)} MB, median ${t.medianMbPerS.toFixed(0)} MB/s (runs: ${each})`);
  }
  console.log(`headroom RSS with an idle agent: ${(results.idleRssKb / 1024).toFixed(1)} MB`);
}
