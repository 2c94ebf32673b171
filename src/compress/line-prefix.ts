/**
 * Runners that run several things at once prefix each line of a child's output with where it
 * came from: `ctest -V` with the test's number (`1: `), `docker compose` with the service
 * (`web-1  | `), turbo and similar with the package and task (`web:build: `). The prefix hides
 * the structure the rules read (an AddressSanitizer report, a traceback, a test summary), so it
 * is taken off for reading and put back on the lines that stay.
 *
 * A prefix is one of a few values repeated on many lines: a source, not a location. A
 * `file:line:` diagnostic or a numbered file view has a different value on nearly every line and
 * is not a prefix.
 */
const PREFIX_SHAPES: readonly RegExp[] = [
  /^(\d{1,4}): /,
  /^([\w.@/-]{1,40}\s*\|) /,
  /^([\w.@/-]{1,40}:[A-Za-z][\w-]{0,39}:) /,
];

/** At least this share of the non-empty lines carry the prefix. */
const MIN_SHARE = 0.4;
const MIN_LINES = 10;
/** A prefix takes at most this many values (the tests, services or tasks of one run). */
const MAX_VALUES = 8;

export interface Prefixed {
  /** The output's lines as they were. */
  lines: string[];
  /** The same lines with the prefix taken off where it was. */
  stripped: string[];
}

/** The output's lines with and without their runner prefix, or undefined when it has none. */
export function stripLinePrefixes(text: string): Prefixed | undefined {
  const lines = text.split('\n');
  let nonEmpty = 0;
  for (const l of lines) if (l.trim() !== '') nonEmpty++;
  if (nonEmpty < MIN_LINES) return undefined;
  let best: RegExp | undefined;
  let bestCount = 0;
  for (const shape of PREFIX_SHAPES) {
    const values = new Set<string>();
    let count = 0;
    for (const l of lines) {
      const m = shape.exec(l);
      if (!m) continue;
      count++;
      values.add(m[1]!);
      if (values.size > MAX_VALUES) break;
    }
    if (values.size <= MAX_VALUES && count >= MIN_LINES && count >= nonEmpty * MIN_SHARE && count > bestCount) {
      best = shape;
      bestCount = count;
    }
  }
  if (!best) return undefined;
  const shape = best;
  return { lines, stripped: lines.map((l) => (shape.test(l) ? l.replace(shape, '') : l)) };
}

/**
 * Puts the prefixes back: every line of `compressed` that is a stripped line (in order) becomes
 * the original line; markers and any line a compressor wrote stay as they are.
 */
export function restoreLinePrefixes(compressed: string, p: Prefixed): string {
  const at = new Map<string, number[]>();
  p.stripped.forEach((l, i) => {
    const list = at.get(l);
    if (list) list.push(i);
    else at.set(l, [i]);
  });
  let next = 0;
  return compressed
    .split('\n')
    .map((line) => {
      const list = at.get(line);
      if (!list) return line;
      const k = firstAtLeast(list, next);
      if (k === undefined) return line;
      next = k + 1;
      return p.lines[k]!;
    })
    .join('\n');
}

/** The first number of a sorted list that is at least `min`. */
function firstAtLeast(sorted: readonly number[], min: number): number | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo] : undefined;
}
