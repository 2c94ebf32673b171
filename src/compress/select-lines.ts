import { omitted } from './marker.js';

/** However big the input, what stays in view is at most about this many characters (~20k tokens). */
export const MAX_BUDGET_CHARS = 80_000;

/** Characters of a typical marker line. */
const MARKER_COST = 64;

/**
 * Budgeted line selection shared by the line-oriented compressors: keep every `must` line,
 * then the best-scored lines while the kept characters stay within the budget.
 * Ties break on position, so the choice is deterministic.
 */
export function pickLines(
  lines: readonly string[],
  scores: Float64Array,
  must: Uint8Array,
  budgetChars: number,
): Uint8Array {
  const keep = new Uint8Array(lines.length);
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    if (must[i]) {
      keep[i] = 1;
      used += lines[i]!.length + 1;
    }
  }
  const order: number[] = [];
  for (let i = 0; i < lines.length; i++) if (!keep[i] && scores[i]! > 0) order.push(i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  for (const i of order) {
    // A line that opens a new gap also pays for the marker that gap will need.
    const joinsKept = (i > 0 && keep[i - 1]) || (i + 1 < lines.length && keep[i + 1]);
    const cost = lines[i]!.length + 1 + (joinsKept ? 0 : MARKER_COST);
    if (used + cost > budgetChars) continue;
    keep[i] = 1;
    used += cost;
  }
  return keep;
}

export interface RenderOptions {
  key: string;
  unit?: string;
  /** Template of each line: a gap whose lines share one template is described as "similar". */
  templates?: readonly string[];
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
    const marker = omitted(count, unit, opts.key, gapDetail(opts.templates, i, j));
    if (count === 1 && lines[i]!.length <= marker.length) out.push(lines[i]!);
    else out.push(marker);
    i = j;
  }
  return out.join('\n');
}

function gapDetail(templates: readonly string[] | undefined, from: number, to: number): string {
  if (!templates || to - from < 2) return '';
  const first = templates[from];
  for (let k = from + 1; k < to; k++) if (templates[k] !== first) return '';
  return from > 0 && templates[from - 1] === first ? 'same pattern as the line above' : 'all one pattern';
}

const LONG_LINE = 4000;
const KEEP_OF_LONG_LINE = 1000;

/** Cut lines too long to be read whole (a 10 MB single line), leaving a marker. */
export function clipLongLines(lines: string[], key: string): string[] {
  return lines.map((l) =>
    l.length > LONG_LINE ? `${l.slice(0, KEEP_OF_LONG_LINE)}${omitted(l.length - KEEP_OF_LONG_LINE, 'char', key)}` : l,
  );
}
