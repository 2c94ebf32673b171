// How compression time grows on the worst inputs we could construct (scripts/worst-inputs.mjs):
// each case runs at sizes n, 2n, 4n, 8n (8n up to ~10 MB) and the table shows the time per size
// and the growth exponent per doubling (log2 of the time ratio: 1 is linear, 2 quadratic).
// Anything clearly above ~1.2 grows faster than n log n and is flagged with '!'.
// Run `npm run build` first.
//
// Usage: node scripts/bench-worst.mjs [--dist DIR] [--before DIR] [--only REGEX] [--scale 1] [--timeout-s 60] [--json]
//        node scripts/bench-worst.mjs --compare DIR [--only REGEX]
//   --dist DIR      the build to time (default ./dist)
//   --before DIR    also time another build (an older checkout's dist), each case right before --dist's
//   --scale X       multiply every size by X (0.1 for a quick look)
//   --timeout-s S   give up on a case when one size takes longer (its worker is terminated)
//   --compare DIR   no timing: check that this build and --dist give byte-identical results on
//                   every case at its two smallest sizes (for changes meant to be only faster)
//
// Every case runs in its own worker thread, one after another, so a runaway case can be stopped.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CASES } from './worst-inputs.mjs';

const SELF = new URL(import.meta.url);
const KEY = '0123456789abcdef';
/** Repeat short measurements and keep the fastest, up to this much time per size. */
const REPEAT_WITHIN_MS = 400;

// ---------------------------------------------------------------------------------------------
// Main thread

function parseArgs(argv) {
  const opts = { dist: resolve('dist'), before: undefined, only: undefined, scale: 1, timeoutS: 60, json: false, compare: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench-worst: ${a} needs a value`);
      return v;
    };
    if (a === '--dist') opts.dist = resolve(next());
    else if (a === '--before') opts.before = resolve(next());
    else if (a === '--only') opts.only = new RegExp(next(), 'i');
    else if (a === '--scale') opts.scale = Number(next());
    else if (a === '--timeout-s') opts.timeoutS = Number(next());
    else if (a === '--compare') opts.compare = resolve(next());
    else if (a === '--json') opts.json = true;
    else throw new Error(`bench-worst: unknown option ${a}`);
  }
  if (!(opts.scale > 0) || !(opts.timeoutS > 0)) throw new Error('bench-worst: --scale and --timeout-s must be positive');
  return opts;
}

/** Runs one case in a worker; resolves with what it reported, even when it had to be stopped. */
function runCase(index, opts, mode, dist = opts.dist) {
  return new Promise((done) => {
    const worker = new Worker(SELF, { workerData: { index, mode, dist, other: opts.compare, scale: opts.scale } });
    const rows = [];
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        rows.push({ timedOut: true });
        void worker.terminate();
      }, opts.timeoutS * 1000);
    };
    arm();
    worker.on('message', (m) => {
      rows.push(m);
      arm();
    });
    worker.on('error', (err) => rows.push({ error: String(err?.message ?? err) }));
    worker.on('exit', () => {
      clearTimeout(timer);
      done(rows);
    });
  });
}

function exponent(a, b) {
  return a?.ms > 0 && b?.ms > 0 ? Math.log2(b.ms / a.ms) : NaN;
}

/** Growth from n to 8n per doubling; tiny times are mostly noise and are not judged. */
function verdict(sizes) {
  const first = sizes[0];
  const last = sizes[sizes.length - 1];
  if (!first || !last || sizes.length < 2) return { overall: NaN, flag: '?' };
  const overall = Math.log2(last.ms / first.ms) / Math.log2(last.count / first.count);
  const flag = last.ms < 20 ? '' : overall > 1.2 ? '!' : '';
  return { overall, flag };
}

async function main(opts) {
  const picked = CASES.map((c, i) => [c, i]).filter(([c]) => !opts.only || opts.only.test(c.name));
  if (opts.compare) return compareBuilds(picked, opts);
  const report = [];
  if (!opts.json) {
    console.log(`worst-case growth, ${opts.dist}; times in ms at n, 2n, 4n, 8n; exponent per doubling (1 linear, 2 quadratic)\n`);
    console.log(`${'case'.padEnd(56)}${'chars at 8n'.padStart(12)}${'n'.padStart(9)}${'2n'.padStart(9)}${'4n'.padStart(9)}${'8n'.padStart(9)}   exponents`);
  }
  const builds = opts.before ? [['before', opts.before], ['after', opts.dist]] : [['', opts.dist]];
  for (const [c, i] of picked) {
    for (const [label, dist] of builds) {
      const row = await timeCase(c, i, opts, dist);
      report.push({ ...(label ? { build: label } : {}), ...row });
      if (!opts.json) console.log(formatRow(label ? `${c.name} (${label})` : c.name, row, opts));
    }
  }
  if (opts.json) console.log(JSON.stringify({ dist: opts.dist, node: process.version, cases: report }, null, 2));
  else console.log('\n* the compressor threw at that size (the proxy would forward the output as it is)');
}

async function timeCase(c, i, opts, dist) {
  const rows = await runCase(i, opts, 'time', dist);
  const sizes = rows.filter((r) => r.count !== undefined);
  const problem = rows.find((r) => r.timedOut || r.error);
  const { overall, flag } = verdict(sizes);
  const exponents = sizes.slice(1).map((s, k) => exponent(sizes[k], s));
  const stopped = problem ? (problem.timedOut ? `timed out after ${opts.timeoutS} s` : problem.error) : undefined;
  return { case: c.name, sizes, exponents, overall, flag, ...(stopped ? { stopped } : {}) };
}

function formatRow(name, row, opts) {
  const { sizes, exponents, overall, flag, stopped } = row;
  const ms = [0, 1, 2, 3].map((k) => (sizes[k] ? fmt(sizes[k].ms) + (sizes[k].threw ? '*' : '') : stopped ? `>${opts.timeoutS}s` : '-'));
  const chars = sizes.length ? sizes[sizes.length - 1].chars : 0;
  const exps = exponents.map((e) => (Number.isFinite(e) ? e.toFixed(2) : '-')).join(' ');
  const error = stopped && !stopped.startsWith('timed out') ? ` error: ${stopped}` : '';
  return `${name.padEnd(56)}${String(chars).padStart(12)}${ms.map((m) => m.padStart(9)).join('')}   ${exps.padEnd(16)} ${Number.isFinite(overall) ? overall.toFixed(2) : ''} ${flag}${error}`;
}

async function compareBuilds(picked, opts) {
  let differ = 0;
  for (const [c, i] of picked) {
    const rows = await runCase(i, opts, 'compare');
    const bad = rows.filter((r) => r.same === false || r.error || r.timedOut);
    if (bad.length > 0) differ++;
    console.log(`${c.name.padEnd(46)} ${bad.length === 0 ? 'identical' : `DIFFERENT ${JSON.stringify(bad[0])}`}`);
  }
  console.log(differ === 0 ? '\nall cases identical' : `\n${differ} case(s) differ`);
  process.exitCode = differ === 0 ? 0 : 1;
}

function fmt(ms) {
  return ms >= 100 ? String(Math.round(ms)) : ms.toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// Worker: one case

async function load(dist) {
  const url = (p) => pathToFileURL(`${dist}/${p}`).href;
  const [{ compressorFor }, { detectKind }, marker, relevance, { countTokens }, { compressContext }] = await Promise.all([
    import(url('compress/registry.js')),
    import(url('compress/detect.js')),
    import(url('compress/marker.js')),
    import(url('compress/relevance.js')),
    import(url('compress/tokens.js')),
    import(url('compress/compress-text.js')),
  ]);
  // The context the engine gives a compressor (its focus, size and keep factor); older builds took query and key alone.
  const contextOf = (text, query, language) =>
    compressContext ? compressContext(text, KEY, { query: query ?? '' }, language) : { query, key: KEY, ...(language ? { language } : {}) };
  return (c, input) => {
    const { text, query } = typeof input === 'string' ? { text: input, query: c.query } : input;
    switch (c.run) {
      case 'compress':
        return compressorFor(c.kind).compress(text, contextOf(text, query, c.language));
      case 'detect':
        return JSON.stringify(detectKind(text));
      case 'markers':
        return JSON.stringify([marker.compressedByHeadroom(text), marker.keysInText(text)]);
      case 'relevance':
        return Array.from(relevance.bm25Scores(text.split('\n'), relevance.queryTerms(query))).join(',');
      case 'tokens':
        return String(countTokens(text));
      default:
        throw new Error(`unknown run ${c.run}`);
    }
  };
}

const charsOf = (input) => (typeof input === 'string' ? input.length : input.text.length + input.query.length);

/** The size parameter whose 8x input is about the case's maxBytes (scaled). */
function baseCount(c, scale) {
  const probe = charsOf(c.gen(64)) / 64;
  return Math.max(1, Math.floor((c.maxBytes * scale) / 8 / probe));
}

function attempt(run, c, input) {
  try {
    return { out: run(c, input), threw: false };
  } catch (err) {
    return { out: `threw ${err?.name}`, threw: true };
  }
}

async function workerMain({ index, mode, dist, other, scale }) {
  const c = CASES[index];
  const run = await load(dist);
  const n = baseCount(c, scale);
  if (mode === 'compare') {
    const runOther = await load(other);
    for (const count of [n, 2 * n]) {
      const input = c.gen(count);
      const a = attempt(run, c, input);
      const b = attempt(runOther, c, input);
      parentPort.postMessage({ count, same: a.out === b.out && a.threw === b.threw });
    }
    return;
  }
  attempt(run, c, c.gen(Math.max(1, Math.floor(n / 16)))); // warm up the JIT
  for (const count of [n, 2 * n, 4 * n, 8 * n]) {
    const input = c.gen(count);
    let best = Infinity;
    let threw = false;
    const started = performance.now();
    do {
      const t0 = performance.now();
      threw = attempt(run, c, input).threw;
      best = Math.min(best, performance.now() - t0);
    } while (performance.now() - started < REPEAT_WITHIN_MS && best < REPEAT_WITHIN_MS / 4);
    parentPort.postMessage({ count, chars: charsOf(input), ms: best, threw });
  }
}

if (isMainThread) await main(parseArgs(process.argv.slice(2)));
else await workerMain(workerData);
