import { omitted } from './marker.js';

/** However big the input, what stays in view is at most about this many characters (~20k tokens). */
export const MAX_BUDGET_CHARS = 80_000;

/** Characters of a typical marker line. */
const MARKER_COST = 64;

/**
 * What a line-oriented compressor knows about the lines of one output. The selection below is
 * shared: every compressor says what each line is worth, and what must stay; the budget,
 * the reserved first and last lines and the markers are the same for all.
 */
export interface LineEvidence {
  lines: readonly string[];
  /** What each line is worth keeping, from its structure and its relevance to the step. */
  value: Float64Array;
  /** Lines that stay whatever else competes (capped by the budget, the most valuable first). */
  must: Uint8Array;
  /**
   * The line each line belongs to (-1: none): a message's continuation, a diagnostic's code
   * excerpt, a search hit's context. A line is brought along when the line it belongs to is kept.
   */
  tiedTo?: Int32Array;
  /** Template of each line: a gap whose lines share one is described as similar lines. */
  templates?: ArrayLike<string | number>;
  /** What each line is (e.g. "passing test"): a gap whose lines share one says so. */
  labels?: readonly (string | undefined)[];
}

export interface SelectOptions {
  budgetChars: number;
  /** Lines worth less than this (repeats, passing tests) are left out even when there is room. */
  minValue?: number;
  /** Reserve the first and last lines (the command echo, the final error, the summary). Default on. */
  edges?: boolean;
  /** Weight of being near the start or the end of the output, for lines nothing else speaks for. */
  edgeWeight?: number;
}

/** Share of the budget reserved for the first lines, and for the last ones. */
const HEAD_SHARE = 0.08;
const TAIL_SHARE = 0.12;
const HEAD_LINES = 3;
const TAIL_LINES = 5;
const DEFAULT_MIN_VALUE = 0.05;
const DEFAULT_EDGE_WEIGHT = 0.4;
/** Groups up to this many tied lines are kept whole or not at all. */
const ATOMIC_TIES = 6;
/** How much less each successive tied line is worth than its head. */
const TIE_STEP = 0.5;

/**
 * Choose the lines to keep within a character budget: the first and last lines of the
 * output, then every `must` line (the most valuable first, while the budget holds), the
 * lines tied to them, then the best remaining lines by value plus nearness to either end,
 * bringing along the lines tied to each. A line that opens a new gap also pays for the marker that gap will need.
 * Ties break on position, so the choice is deterministic.
 */
export function chooseLines(ev: LineEvidence, opts: SelectOptions): Uint8Array {
  const { lines, value, must } = ev;
  const n = lines.length;
  const budget = opts.budgetChars;
  const keep = new Uint8Array(n);
  // What the kept lines cost with a marker for each run of lines left out: keeping a line
  // inside a run splits it (one marker more), at its edge shortens it, alone fills it (one less).
  let used = n > 0 ? MARKER_COST : 0;
  const cost = (i: number) => lines[i]!.length + 1;
  let whole = -1;
  for (let i = 0; i < n; i++) whole += cost(i);
  // Room for every line: nothing to choose.
  if (whole <= budget) return keep.fill(1);
  const add = (i: number): boolean => {
    if (keep[i]) return true;
    const outside = (i > 0 && !keep[i - 1] ? 1 : 0) + (i + 1 < n && !keep[i + 1] ? 1 : 0);
    const c = cost(i) + (outside - 1) * MARKER_COST;
    if (used + c > budget) return false;
    keep[i] = 1;
    used += c;
    return true;
  };
  const tied = ev.tiedTo ? membersByHead(ev.tiedTo) : undefined;
  // A line with a few tied lines (a search hit with its context) comes with all of them or
  // not at all; a long group (a failure's report) brings as many as fit.
  const addWithTies = (i: number) => {
    const members = tied?.get(i) ?? [];
    if (members.length > 0 && members.length <= ATOMIC_TIES) {
      let groupCost = keep[i] ? 0 : cost(i) + MARKER_COST;
      for (const j of members) if (!keep[j]) groupCost += cost(j);
      if (used + groupCost > budget) return;
    }
    if (!add(i)) return;
    for (const j of members) if (!add(j)) break;
  };

  if (opts.edges !== false) {
    let head = 0;
    for (let i = 0; i < n && i < HEAD_LINES && head + cost(i) <= budget * HEAD_SHARE; i++) {
      head += cost(i);
      add(i);
    }
    let tail = 0;
    for (let i = n - 1, k = 0; i >= 0 && k < TAIL_LINES && tail + cost(i) <= budget * TAIL_SHARE; i--, k++) {
      tail += cost(i);
      add(i);
    }
  }

  const mustOrder: number[] = [];
  for (let i = 0; i < n; i++) if (must[i]) mustOrder.push(i);
  mustOrder.sort((a, b) => value[b]! - value[a]! || a - b);
  // Must lines and the lines tied to them, by value: a tied line is worth a little less than
  // its head for each line before it, so a long excerpt of one error does not crowd out the
  // headers of the others, while the detail of the most relevant error beats an idle header.
  const queue: Array<readonly [line: number, worth: number, head: number]> = [];
  for (const i of mustOrder) {
    queue.push([i, value[i]!, -1]);
    (tied?.get(i) ?? []).forEach((j, k) => queue.push([j, value[i]! - TIE_STEP * (k + 1), i]));
  }
  queue.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [i, , head] of queue) if (head < 0 || keep[head]) add(i);

  const minValue = opts.minValue ?? DEFAULT_MIN_VALUE;
  const edgeWeight = opts.edgeWeight ?? DEFAULT_EDGE_WEIGHT;
  const reach = edgeReach(lines, budget);
  const score = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (keep[i] || lines[i]!.trim() === '') continue;
    const edge = Math.max(1 / (1 + i / reach), 1 / (1 + (n - 1 - i) / reach));
    score[i] = value[i]! + edgeWeight * edge;
    if (value[i]! >= minValue) order.push(i);
  }
  order.sort((a, b) => score[b]! - score[a]! || a - b);
  // No stop at a full budget: a line that closes a gap between kept lines costs less than its marker.
  for (const i of order) addWithTies(i);
  fillBlankSeams(lines, keep);
  return keep;
}

/** How many lines count as "near an end": those that fit in a twentieth of the budget. */
function edgeReach(lines: readonly string[], budget: number): number {
  let total = 0;
  for (const l of lines) total += l.length + 1;
  const mean = Math.max(1, total / Math.max(1, lines.length));
  return Math.max(2, (budget * 0.05) / mean);
}

function membersByHead(tiedTo: Int32Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < tiedTo.length; i++) {
    const h = tiedTo[i]!;
    if (h < 0 || h === i) continue;
    const list = m.get(h);
    if (list) list.push(i);
    else m.set(h, [i]);
  }
  return m;
}

/** A blank line between two kept lines costs less than the marker it would become. */
function fillBlankSeams(lines: readonly string[], keep: Uint8Array): void {
  for (let i = 1; i + 1 < lines.length; i++) {
    if (!keep[i] && keep[i - 1] && keep[i + 1] && lines[i]!.trim() === '') keep[i] = 1;
  }
}

export interface RenderOptions {
  key: string;
  unit?: string;
  /** Template of each line: a gap whose lines share one template is described as "similar". */
  templates?: ArrayLike<string | number>;
  /** What each line is: a gap whose lines all share one label is described by it. */
  labels?: readonly (string | undefined)[];
}

/**
 * Kept lines verbatim, each run of dropped lines replaced by one marker line.
 * A gap of a single line shorter than its marker is kept instead.
 */
export function renderKept(lines: readonly string[], keep: Uint8Array, opts: RenderOptions): string {
  const out: string[] = [];
  const unit = opts.unit ?? 'line';
  let i = 0;
  while (i < lines.length) {
    if (keep[i]) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && !keep[j]) j++;
    const count = j - i;
    const marker = omitted(count, unit, opts.key, gapDetail(opts, i, j));
    if (count === 1 && lines[i]!.length <= marker.length) out.push(lines[i]!);
    else out.push(marker);
    i = j;
  }
  return out.join('\n');
}

function gapDetail(opts: RenderOptions, from: number, to: number): string {
  const label = opts.labels?.[from];
  if (label) {
    let same = true;
    let named = 0;
    for (let k = from; k < to; k++) {
      const l = opts.labels![k];
      if (l === label) named++;
      else if (l !== undefined) same = false;
    }
    if (same) return named === to - from ? `${named} ${label}${named === 1 ? '' : 's'}` : `${named} ${label}${named === 1 ? '' : 's'} and ${to - from - named} other lines`;
  }
  const templates = opts.templates;
  if (!templates || to - from < 2) return '';
  const first = templates[from];
  for (let k = from + 1; k < to; k++) if (templates[k] !== first) return '';
  return from > 0 && templates[from - 1] === first ? 'same pattern as the line above' : 'all one pattern';
}

/** Lines longer than this are clipped (`clipLongLines`). */
export const LONG_LINE = 4000;
const KEEP_OF_LONG_LINE = 1000;

/** Cut lines too long to be read whole (a 10 MB single line), leaving a marker. */
export function clipLongLines(lines: string[], key: string): string[] {
  return lines.map((l) =>
    l.length > LONG_LINE ? `${l.slice(0, KEEP_OF_LONG_LINE)}${omitted(l.length - KEEP_OF_LONG_LINE, 'char', key)}` : l,
  );
}
