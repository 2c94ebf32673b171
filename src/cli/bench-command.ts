import { existsSync } from 'node:fs';
import { count } from '../plural.js';
import { FileCcrStore } from '../compress/ccr-store.js';
import { bundledCorpora, corpusFromArg, listWorkloads, loadWorkload, type Corpus } from '../bench/corpus.js';
import { runWorkload, type WorkloadResult } from '../bench/run-bench.js';
import { formatCorpus, formatCurve, formatWorkloads, median, summariseCategories, summariseCorpus, tally, type CorpusSummary, type CurvePoint } from '../bench/report.js';
import { replaySession, type ReplayResult } from '../bench/cache-replay.js';
import { CliError, EXIT } from './exit-codes.js';

export interface BenchOptions {
  /** One folder of workloads instead of the bundled corpora (kept for scripts that pass it). */
  workloads?: string;
  /** Names of the corpora to run (default: all that are present). */
  corpus?: string[];
  /** More corpora: `NAME=DIR` or `DIR`. */
  corpusDir?: string[];
  /** Also run each corpus at other sizes (CURVE_KEEPS) for the curve of needles against saving. */
  curve?: boolean;
  json?: boolean;
}

export interface BenchOutcome {
  output: string;
  exitCode: number;
}

/** Corpora with per-workload rows in the text report; bigger ones print their summary only. */
const MAX_ROWS = 30;

/** `headroom bench`: compress every workload of every corpus, check its needles next to head+tail, print the tables. */
export function benchCommand(opts: BenchOptions, progress: (line: string) => void): BenchOutcome {
  const corpora = chooseCorpora(opts);
  const store = new FileCcrStore();
  const runs = corpora.map((c) => runCorpus(c, store, progress, opts.curve === true));
  const results = runs.flatMap((r) => r.results);
  const replays = runs.flatMap((r) => r.replays);
  const lost = results.reduce((a, r) => a + r.lost, 0);
  const perHundredKB = results.filter((r) => r.inputKB > 0).map((r) => (r.ms * 100) / r.inputKB);
  const summaries = runs.map((r) => r.summary);
  const sessions = {
    turns: replays.reduce((a, r) => a + r.turns, 0),
    transitions: replays.reduce((a, r) => a + r.transitions, 0),
    prefixStable: replays.reduce((a, r) => a + r.stable, 0),
    cacheAwareCostDirect: Math.round(replays.reduce((a, r) => a + r.costDirect, 0)),
    cacheAwareCostHeadroom: Math.round(replays.reduce((a, r) => a + r.costHeadroom, 0)),
  };
  const costSavingPct = sessions.cacheAwareCostDirect === 0 ? 0 : (100 * (sessions.cacheAwareCostDirect - sessions.cacheAwareCostHeadroom)) / sessions.cacheAwareCostDirect;
  const totalBefore = results.reduce((a, r) => a + r.tokensBefore, 0);
  const totalAfter = results.reduce((a, r) => a + r.tokensAfter, 0);
  const summary = {
    corpora: corpora.map((c) => c.name),
    workloads: results.length,
    tokensBefore: totalBefore,
    tokensAfter: totalAfter,
    savingPct: totalBefore === 0 ? 0 : (100 * (totalBefore - totalAfter)) / totalBefore,
    needles: results.reduce((a, r) => a + r.needles, 0),
    inView: results.reduce((a, r) => a + r.inView, 0),
    headTailInView: results.reduce((a, r) => a + r.headTailInView, 0),
    retrievable: results.reduce((a, r) => a + r.retrievable, 0),
    lost,
    medianMsPer100KB: median(perHundredKB),
    sessions: { ...sessions, costSavingPct },
  };
  const exitCode = lost > 0 ? EXIT.failed : EXIT.ok;
  if (opts.json) {
    const bundled = results.filter((r) => r.corpus === 'workloads');
    const curves = opts.curve ? Object.fromEntries(runs.map((r) => [r.summary.corpus, r.curve])) : undefined;
    return { output: JSON.stringify({ summary, corpora: summaries, ...(curves ? { curves } : {}), categories: summariseCategories(bundled), results, replays }, null, 2), exitCode };
  }
  const lines: string[] = [];
  for (const run of runs) {
    if (run.results.length <= MAX_ROWS) lines.push(formatWorkloads(run.results), '');
    lines.push(formatCorpus(run.summary), '');
    if (run.curve.length > 0) lines.push(formatCurve(run.summary.corpus, run.curve), '');
  }
  lines.push(
    `all: ${summary.tokensBefore} -> ${summary.tokensAfter} tool-output tokens (${summary.savingPct.toFixed(1)}% saved); ` +
      `needles ${summary.inView}/${summary.needles} in view (head+tail at the same size per output: ${summary.headTailInView}), ` +
      `${summary.retrievable} retrievable, ${lost} lost; median ${summary.medianMsPer100KB.toFixed(2)} ms per 100 KB`,
    `sessions: ${count(sessions.turns, 'request')} replayed; forwarded prefix stable in ${sessions.prefixStable}/${sessions.transitions} turn changes; ` +
      `cache-aware input cost (uncached + 0.1 x cache-read) ${sessions.cacheAwareCostDirect} -> ${sessions.cacheAwareCostHeadroom} tokens (${costSavingPct.toFixed(1)}% saved)`,
  );
  for (const r of replays) if (r.stable < r.transitions) lines.push(`PREFIX BROKEN in ${r.id}: ${r.transitions - r.stable} of ${r.transitions} turn changes`);
  for (const r of results) for (const n of r.lostNeedles) lines.push(`LOST in ${r.id}: ${JSON.stringify(n).slice(0, 160)}`);
  return { output: lines.join('\n'), exitCode };
}

function chooseCorpora(opts: BenchOptions): Corpus[] {
  if (opts.workloads) {
    if (!existsSync(opts.workloads)) throw new CliError(`no workloads directory at ${opts.workloads}`);
    return [corpusFromArg(`workloads=${opts.workloads}`)].filter(nonEmpty(opts.workloads));
  }
  const extra = (opts.corpusDir ?? []).map(corpusFromArg);
  for (const c of extra) if (!existsSync(c.dir)) throw new CliError(`no corpus directory at ${c.dir}`);
  const all = [...bundledCorpora(), ...extra];
  if (!opts.corpus || opts.corpus.length === 0) return all;
  return opts.corpus.map((name) => {
    const c = all.find((x) => x.name === name);
    if (!c) throw new CliError(`no corpus named ${name}; present: ${all.map((x) => x.name).join(', ')} (add one with --corpus-dir NAME=DIR)`);
    return c;
  });
}

function nonEmpty(dir: string): (c: Corpus) => boolean {
  return (c) => {
    if (listWorkloads(c.dir).length === 0) throw new CliError(`no workloads in ${dir} (each needs a <id>/request.json)`);
    return true;
  };
}

interface CorpusRun {
  results: WorkloadResult[];
  replays: ReplayResult[];
  summary: CorpusSummary;
  /** The corpus compressed at each of CURVE_KEEPS (empty unless asked for). */
  curve: CurvePoint[];
}

/** Sizes the curve is traced at, as `keep` factors of the size policy. */
const CURVE_KEEPS = [0.25, 0.5, 1, 2, 4] as const;

function runCorpus(corpus: Corpus, store: FileCcrStore, progress: (line: string) => void, withCurve: boolean): CorpusRun {
  const dirs = listWorkloads(corpus.dir);
  const workloads = dirs.map((d) => loadWorkload(corpus.name, d));
  // The first runs pay for JIT compilation and loading grammars, which a long-running proxy
  // pays once: a few workloads are compressed once untimed.
  for (const w of workloads.slice(0, 3)) runWorkload(w, store);
  const results = workloads.map((w, i) => {
    progress(`[${corpus.name} ${i + 1}/${workloads.length}] ${w.id}`);
    return runWorkload(w, store);
  });
  const replays = workloads.map((w, i) => {
    progress(`[${corpus.name} ${i + 1}/${workloads.length}] ${w.id}: replaying as a session`);
    return replaySession(w.id, w.raw, store);
  });
  const curve = withCurve
    ? CURVE_KEEPS.map((keep) => {
        progress(`[${corpus.name}] the curve at keep ${keep}`);
        const rs = keep === 1 ? results : workloads.map((w) => runWorkload(w, store, keep));
        return { keep, ...tally(rs.flatMap((r) => r.outputs)) };
      })
    : [];
  return { results, replays, summary: summariseCorpus(corpus.name, results), curve };
}
