import type { WorkloadResult } from './run-bench.js';

/** Saving each category must reach (percent of tool-output tokens). */
export const CATEGORY_TARGETS: Record<string, number> = {
  'code-search': 92,
  sre: 92,
  'issue-triage': 73,
  codebase: 47,
};
export const DEFAULT_TARGET = 60;

export interface CategorySummary {
  category: string;
  workloads: number;
  tokensBefore: number;
  tokensAfter: number;
  savingPct: number;
  targetPct: number;
  met: boolean;
}

export function summariseCategories(results: readonly WorkloadResult[]): CategorySummary[] {
  const byCat = new Map<string, WorkloadResult[]>();
  for (const r of results) byCat.set(r.category, [...(byCat.get(r.category) ?? []), r]);
  return [...byCat.entries()].map(([category, rs]) => {
    const before = rs.reduce((a, r) => a + r.tokensBefore, 0);
    const after = rs.reduce((a, r) => a + r.tokensAfter, 0);
    const savingPct = before === 0 ? 0 : (100 * (before - after)) / before;
    const targetPct = CATEGORY_TARGETS[category] ?? DEFAULT_TARGET;
    return { category, workloads: rs.length, tokensBefore: before, tokensAfter: after, savingPct, targetPct, met: savingPct >= targetPct };
  });
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The savings table `headroom bench` prints. */
export function formatTable(results: readonly WorkloadResult[]): string {
  const header = ['workload', 'category', 'tokens before', 'after', 'saving', 'in view', 'retrievable', 'lost', 'ms'];
  const rows = results.map((r) => [
    r.id,
    r.category,
    String(r.tokensBefore),
    String(r.tokensAfter),
    `${r.savingPct.toFixed(1)}%`,
    `${r.inView}/${r.needles}`,
    String(r.retrievable),
    String(r.lost),
    r.ms.toFixed(1),
  ]);
  const cats = summariseCategories(results).map((c) => [
    c.category,
    `${c.workloads} workload${c.workloads === 1 ? '' : 's'}`,
    String(c.tokensBefore),
    String(c.tokensAfter),
    `${c.savingPct.toFixed(1)}%`,
    `target ${c.targetPct}%`,
    c.met ? 'met' : 'MISSED',
    '',
    '',
  ]);
  const all = [header, ...rows, header.map(() => ''), ['category', '', 'tokens before', 'after', 'saving', 'target', '', '', ''], ...cats];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return all.map(line).join('\n');
}
