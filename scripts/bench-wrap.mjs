#!/usr/bin/env node
// What `headroom wrap` costs a terminal session, measured under a real PTY (node-pty) with the
// scripted fake agent (test/helpers/fake-agent.mjs) and the built CLI (run `npm run build` first):
// - keystroke-to-echo latency, wrapped minus direct (the agent echoes every byte it reads),
// - output throughput when the agent prints a large amount of text, status line on, next to
//   the agent alone and a bare node-pty relay (the least any PTY wrapper in Node costs),
// - resident memory of the headroom process while the agent sits idle.
// Usage: node scripts/bench-wrap.mjs [--keys N] [--mb N] [--json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli.js');
const fakeAgent = join(root, 'test/helpers/fake-agent.mjs');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const KEYS = arg('--keys', 500);
const MB = arg('--mb', 200);
const json = process.argv.includes('--json');

const bin = mkdtempSync(join(tmpdir(), 'headroom-bench-bin-'));
writeFileSync(join(bin, 'claude'), `#!/bin/sh\nexec "${process.execPath}" "${fakeAgent}" --as claude "$@"\n`, { mode: 0o755 });
const home = mkdtempSync(join(tmpdir(), 'headroom-bench-home-'));
// The reference: a relay that does nothing but copy the agent's PTY output to its own.
const relay = join(bin, 'relay.mjs');
writeFileSync(
  relay,
  `import pty from ${JSON.stringify(join(root, 'node_modules/node-pty/lib/index.js'))};\n` +
    `const p = (pty.default ?? pty).spawn(process.argv[2], process.argv.slice(3), { cols: 120, rows: 39, env: process.env, encoding: null });\n` +
    `process.stdin.setRawMode(true);\np.onData((d) => process.stdout.write(d));\np.onExit(() => process.exit(0));\n`,
);
const baseEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HEADROOM_HOME: home, TERM: 'xterm-256color' };

/** how: 'wrapped' (headroom wrap), 'direct' (the agent alone) or 'relay' (the bare relay). */
function start(how, env) {
  const agent = [fakeAgent, '--as', 'claude'];
  const args = how === 'wrapped' ? [cli, 'wrap', 'claude'] : how === 'relay' ? [relay, process.execPath, ...agent] : agent;
  const file = process.execPath;
  return pty.spawn(file, args, { cols: 120, rows: 40, cwd: home, env: { ...baseEnv, ...env }, encoding: null });
}

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

async function throughput(how) {
  const term = start(how, { FAKE_AGENT_MODE: 'flood', FAKE_FLOOD_MB: String(MB) });
  let bytes = 0;
  let t0;
  let tail = '';
  const done = new Promise((r) => {
    term.onData((d) => {
      t0 ??= process.hrtime.bigint();
      bytes += d.length;
      tail = (tail + d.toString('latin1')).slice(-64);
      if (tail.includes('FLOOD DONE')) r(process.hrtime.bigint());
    });
  });
  const t1 = await done;
  const exited = new Promise((r) => term.onExit(r));
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
  results.throughputDirect = await throughput('direct');
  results.throughputRelay = await throughput('relay');
  results.throughputWrapped = await throughput('wrapped');
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
  for (const [name, t] of [['agent alone', results.throughputDirect], ['bare node-pty relay', results.throughputRelay], ['headroom wrap, status line on', results.throughputWrapped]]) {
    console.log(`output throughput ${name}: ${t.mb.toFixed(0)} MB in ${t.seconds.toFixed(2)} s = ${t.mbPerS.toFixed(0)} MB/s`);
  }
  console.log(`headroom RSS with an idle agent: ${(results.idleRssKb / 1024).toFixed(1)} MB`);
}
