#!/usr/bin/env node
// What a user pays at start-up for each entry of the package: the time of a fresh Node process
// that imports it (ES module) or requires it (CommonJS build), and of `headroom --help`, next to
// `node -e 0` (the floor: what any Node process costs). Run `npm run build` first.
// Each case runs --runs times, the cases interleaved (so a busy machine slows them alike), and the
// median is reported with its difference from the floor; compare those, not absolute figures.
// --root DIR (repeatable) measures another checkout's build too, interleaved with this one: e.g.
// `--root . --root ../main` for before and after.
// Usage: node scripts/bench-import.mjs [--runs N] [--root DIR]... [--json]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const valuesOf = (name) => args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));
const RUNS = Number(valuesOf('--runs')[0] ?? 11);
const roots = valuesOf('--root').map((r) => resolve(r));
if (roots.length === 0) roots.push(here);
const json = args.includes('--json');

/** Milliseconds from spawn to a successful exit. */
function timeExit(cmd, cwd) {
  return new Promise((resolveRun, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, cmd, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveRun(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`node ${cmd.join(' ')} in ${cwd} exited ${code}: ${err.slice(-500)}`))));
  });
}

/** name -> { cmd, cwd }: each entry by import and by require, through the package's own name. */
const cases = { 'node -e 0': { cmd: ['-e', '0'], cwd: here } };
for (const root of roots) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const tag = roots.length > 1 ? ` [${root}]` : '';
  for (const sub of Object.keys(pkg.exports)) {
    if (sub.includes('*') || sub.endsWith('.json')) continue;
    const spec = `${pkg.name}${sub.slice(1)}`;
    // A package resolves its own name from inside its folder (self-reference through `exports`).
    cases[`import ${spec}${tag}`] = { cmd: ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], cwd: root };
    cases[`require ${spec}${tag}`] = { cmd: ['-e', `require(${JSON.stringify(spec)})`], cwd: root };
  }
  cases[`headroom --help${tag}`] = { cmd: [join(root, 'dist/cli.js'), '--help'], cwd: root };
}

const runs = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, { cmd, cwd }] of Object.entries(cases)) {
    process.stderr.write(`\r\x1b[Krun ${i + 1}/${RUNS}: ${name}`);
    runs[name].push(await timeExit(cmd, cwd));
  }
}
process.stderr.write('\r\x1b[K');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const medians = Object.fromEntries(Object.entries(runs).map(([name, ms]) => [name, median(ms)]));
const floor = medians['node -e 0'];
const overFloor = Object.fromEntries(Object.entries(medians).map(([name, ms]) => [name, ms - floor]));

if (json) {
  console.log(JSON.stringify({ roots, runs: RUNS, medianMs: medians, overFloorMs: overFloor, allRunsMs: runs }, null, 2));
} else {
  const width = Math.max(...Object.keys(cases).map((n) => n.length));
  console.log(`${RUNS} interleaved runs each, median (and over node -e 0):`);
  for (const [name, ms] of Object.entries(medians)) console.log(`  ${name.padEnd(width)} ${ms.toFixed(0).padStart(6)} ms ${name === 'node -e 0' ? '' : `(+${overFloor[name].toFixed(0)})`}`);
}
