import type { OutputResult, WorkloadResult } from './run-bench.js';

/** Saving each category of the bundled workloads must reach (percent of tool-output tokens). */
const CATEGORY_TARGETS: Record<string, number> = {
  'code-search': 92,
  sre: 92,
  'issue-triage': 73,
  codebase: 47,
};
const DEFAULT_TARGET = 60;

/** Tokens, needles and the head+tail comparison summed over some tool outputs. */
export interface Tally {
  outputs: number;
  tokensBefore: number;
  tokensAfter: number;
  savingPct: number;
  needles: number;
  inView: number;
  inViewPct: number;
  /** Needles a head+tail cut to the same size per output keeps in view. */
  headTail: number;
  headTailPct: number;
}

export function tally(outputs: readonly OutputResult[]): Tally {
  const sum = (f: (o: OutputResult) => number) => outputs.reduce((a, o) => a + f(o), 0);
  const tokensBefore = sum((o) => o.tokensBefore);
  const tokensAfter = sum((o) => o.tokensAfter);
  const needles = sum((o) => o.needles);
  const inView = sum((o) => o.inView);
  const headTail = sum((o) => o.headTailInView);
  const pct = (x: number, of: number) => (of === 0 ? 0 : (100 * x) / of);
  return {
    outputs: outputs.length,
    tokensBefore,
    tokensAfter,
    savingPct: pct(tokensBefore - tokensAfter, tokensBefore),
    needles,
    inView,
    inViewPct: pct(inView, needles),
    headTail,
    headTailPct: pct(headTail, needles),
  };
}

/** Size bands of a tool output, in tokens, as the issue of savings is judged. */
const SIZE_BANDS = [
  { name: '< 1k', max: 1000 },
  { name: '1-2k', max: 2000 },
  { name: '2-10k', max: 10_000 },
  { name: '> 10k', max: Number.POSITIVE_INFINITY },
] as const;

function sizeBand(tokens: number): string {
  return SIZE_BANDS.find((b) => tokens < b.max)!.name;
}

export interface CorpusSummary {
  corpus: string;
  workloads: number;
  all: Tally;
  retrievable: number;
  lost: number;
  byKind: Record<string, Tally>;
  byLanguage: Record<string, Tally>;
  bySize: Record<string, Tally>;
}

export function summariseCorpus(corpus: string, results: readonly WorkloadResult[]): CorpusSummary {
  const outputs = (rs: readonly WorkloadResult[]) => rs.flatMap((r) => r.outputs);
  const groupBy = (key: (r: WorkloadResult) => string) => {
    const groups = new Map<string, WorkloadResult[]>();
    for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
    return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, rs]) => [k, tally(outputs(rs))]));
  };
  const bySize: Record<string, Tally> = {};
  for (const band of SIZE_BANDS) {
    const inBand = outputs(results).filter((o) => sizeBand(o.tokensBefore) === band.name);
    if (inBand.length > 0) bySize[band.name] = tally(inBand);
  }
  return {
    corpus,
    workloads: results.length,
    all: tally(outputs(results)),
    retrievable: results.reduce((a, r) => a + r.retrievable, 0),
    lost: results.reduce((a, r) => a + r.lost, 0),
    byKind: groupBy((r) => r.kind),
    byLanguage: groupBy((r) => r.language),
    bySize,
  };
}

export interface CategorySummary {
  category: string;
  workloads: number;
  tokensBefore: number;
  tokensAfter: number;
  savingPct: number;
  targetPct: number;
  met: boolean;
}

/** The bundled workloads' categories against their saving targets. */
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

/** Right-aligned columns after the first, which is left-aligned. */
function formatColumns(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const TALLY_HEADER = ['', 'outputs', 'tokens before', 'after', 'saving', 'needles in view', 'head+tail same size'];

function tallyRow(label: string, t: Tally): string[] {
  return [
    label,
    String(t.outputs),
    String(t.tokensBefore),
    String(t.tokensAfter),
    `${t.savingPct.toFixed(1)}%`,
    `${t.inView}/${t.needles} ${t.inViewPct.toFixed(0)}%`,
    `${t.headTail}/${t.needles} ${t.headTailPct.toFixed(0)}%`,
  ];
}

/** One corpus's summary: all outputs, then by kind, language (when more than one) and size band. */
export function formatCorpus(s: CorpusSummary): string {
  const rows = [[`corpus ${s.corpus} (${s.workloads} workloads)`, ...TALLY_HEADER.slice(1)], tallyRow('all', s.all)];
  const section = (title: string, groups: Record<string, Tally>) => {
    if (Object.keys(groups).length < 2) return;
    rows.push([title, '', '', '', '', '', '']);
    for (const [k, t] of Object.entries(groups)) rows.push(tallyRow(`  ${k}`, t));
  };
  section('by kind', s.byKind);
  section('by language', s.byLanguage);
  section('by output size (tokens)', s.bySize);
  return formatColumns(rows);
}

/** One point of a corpus's curve: everything compressed at `keep` times the size policy. */
export interface CurvePoint extends Tally {
  keep: number;
}

/** Needles in view against saving at each size, for headroom and for head+tail at the same size. */
export function formatCurve(corpus: string, curve: readonly CurvePoint[]): string {
  const rows = [[`curve of ${corpus}: keep`, 'saving', 'headroom in view', 'head+tail in view']];
  for (const p of curve) rows.push([`  ${p.keep}`, `${p.savingPct.toFixed(1)}%`, `${p.inViewPct.toFixed(1)}%`, `${p.headTailPct.toFixed(1)}%`]);
  return formatColumns(rows);
}

/** The per-workload table of a small corpus (the bundled workloads), with category targets. */
export function formatWorkloads(results: readonly WorkloadResult[]): string {
  const header = ['workload', 'category', 'tokens before', 'after', 'saving', 'in view', 'head+tail', 'retrievable', 'lost', 'ms'];
  const rows = results.map((r) => [
    r.id,
    r.category,
    String(r.tokensBefore),
    String(r.tokensAfter),
    `${r.savingPct.toFixed(1)}%`,
    `${r.inView}/${r.needles}`,
    `${r.headTailInView}/${r.needles}`,
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
    '',
  ]);
  const table = [header, ...rows, header.map(() => ''), ['category', '', 'tokens before', 'after', 'saving', 'target', '', '', '', ''], ...cats];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return table.map(line).join('\n');
}
