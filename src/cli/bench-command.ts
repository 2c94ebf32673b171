import { existsSync } from 'node:fs';
import { count } from '../plural.js';
import { FileCcrStore } from '../compress/ccr-store.js';
import { bundledWorkloadsDir, listWorkloads, readWorkloadFile, runWorkload, type WorkloadResult } from '../bench/run-bench.js';
import { formatTable, median, summariseCategories } from '../bench/report.js';
import { replaySession, type ReplayResult } from '../bench/cache-replay.js';
import { CliError, EXIT } from './exit-codes.js';

export interface BenchOutcome {
  output: string;
  exitCode: number;
}

/** `headroom bench`: compress every workload, check its needles, print the savings table. */
export function benchCommand(opts: { workloads?: string; json?: boolean }, progress: (line: string) => void): BenchOutcome {
  const dir = opts.workloads ?? bundledWorkloadsDir();
  if (!existsSync(dir)) throw new CliError(`no workloads directory at ${dir}`);
  const ids = listWorkloads(dir);
  if (ids.length === 0) throw new CliError(`no workloads in ${dir} (each needs a <id>/request.json)`);
  const store = new FileCcrStore();
  const results: WorkloadResult[] = [];
  ids.forEach((id, i) => {
    progress(`[${i + 1}/${ids.length}] ${id}`);
    // Timed on a second run: the first one pays for JIT compilation and loading grammars,
    // which a long-running proxy pays once.
    runWorkload(dir, id, store);
    results.push(runWorkload(dir, id, store));
  });
  const replays: ReplayResult[] = ids.map((id, i) => {
    progress(`[${i + 1}/${ids.length}] ${id}: replaying as a session`);
    return replaySession(id, readWorkloadFile(dir, id, 'request.json'), store);
  });
  const lateTool = ids.map((id) => replaySession(id, readWorkloadFile(dir, id, 'request.json'), store, 'when-compressed'));
  const lost = results.reduce((a, r) => a + r.lost, 0);
  const perHundredKB = results.filter((r) => r.inputKB > 0).map((r) => (r.ms * 100) / r.inputKB);
  const categories = summariseCategories(results);
  const totalBefore = results.reduce((a, r) => a + r.tokensBefore, 0);
  const totalAfter = results.reduce((a, r) => a + r.tokensAfter, 0);
  const summary = {
    workloads: results.length,
    tokensBefore: totalBefore,
    tokensAfter: totalAfter,
    savingPct: totalBefore === 0 ? 0 : (100 * (totalBefore - totalAfter)) / totalBefore,
    needles: results.reduce((a, r) => a + r.needles, 0),
    inView: results.reduce((a, r) => a + r.inView, 0),
    retrievable: results.reduce((a, r) => a + r.retrievable, 0),
    lost,
    medianMsPer100KB: median(perHundredKB),
    sessions: {
      turns: replays.reduce((a, r) => a + r.turns, 0),
      transitions: replays.reduce((a, r) => a + r.transitions, 0),
      prefixStable: replays.reduce((a, r) => a + r.stable, 0),
      cacheAwareCostDirect: Math.round(replays.reduce((a, r) => a + r.costDirect, 0)),
      cacheAwareCostHeadroom: Math.round(replays.reduce((a, r) => a + r.costHeadroom, 0)),
    },
  };
  const s = summary.sessions;
  const late = {
    prefixStable: lateTool.reduce((a, r) => a + r.stable, 0),
    cacheAwareCostHeadroom: Math.round(lateTool.reduce((a, r) => a + r.costHeadroom, 0)),
  };
  const costSaving = s.cacheAwareCostDirect === 0 ? 0 : (100 * (s.cacheAwareCostDirect - s.cacheAwareCostHeadroom)) / s.cacheAwareCostDirect;
  const exitCode = lost > 0 ? EXIT.failed : EXIT.ok;
  if (opts.json) return { output: JSON.stringify({ summary: { ...summary, sessions: { ...s, costSavingPct: costSaving, retrieveToolWhenCompressed: late } }, categories, results, replays }, null, 2), exitCode };
  const lines = [
    formatTable(results),
    '',
    `all: ${summary.tokensBefore} -> ${summary.tokensAfter} tool-output tokens (${summary.savingPct.toFixed(1)}% saved); ` +
      `needles ${summary.inView}/${summary.needles} in view, ${summary.retrievable} retrievable, ${lost} lost; ` +
      `median ${summary.medianMsPer100KB.toFixed(2)} ms per 100 KB`,
    `sessions: ${count(s.turns, 'request')} replayed; forwarded prefix stable in ${s.prefixStable}/${s.transitions} turn changes; ` +
      `cache-aware input cost (uncached + 0.1 x cache-read) ${s.cacheAwareCostDirect} -> ${s.cacheAwareCostHeadroom} tokens (${costSaving.toFixed(1)}% saved)`,
  ];
  lines.push(
    `  (with --retrieve-tool when-compressed: prefix stable in ${late.prefixStable}/${s.transitions}; cost ${late.cacheAwareCostHeadroom} tokens)`,
  );
  for (const r of replays) if (r.stable < r.transitions) lines.push(`PREFIX BROKEN in ${r.id}: ${r.transitions - r.stable} of ${r.transitions} turn changes`);
  for (const r of results) for (const n of r.lostNeedles) lines.push(`LOST in ${r.id}: ${JSON.stringify(n).slice(0, 160)}`);
  return { output: lines.join('\n'), exitCode };
}
