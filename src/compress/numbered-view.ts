/**
 * Source files as agents read them: each line behind its line number (`cat -n` and Claude
 * Code's Read: `   12\tcode`; `nl`; `12→code`; `12:code` windows), often with a header or
 * footer line of the tool (`[File: a.java (1032 lines total)]`, `(932 more lines above)`).
 * Recognising the numbers lets a compressor keep whole lines byte for byte and know which
 * line of the file each row is.
 */
export interface NumberedView {
  /** Each row without its number prefix; frame rows (header, footer) are '' here. */
  lines: string[];
  /** The number prefix of each row ('' for frame rows and unnumbered blank rows). */
  prefixes: string[];
  /** The file's line number of each row, -1 where there is none. */
  numbers: Int32Array;
  /** Rows that are the tool's header or footer, not file content. */
  frame: Uint8Array;
}

const PREFIXES: readonly RegExp[] = [/^\s*(\d+)\t/, /^\s*(\d+)→/, /^(\d+):/, /^\s*(\d+) \| /];

/** Header or footer rows allowed around the numbered lines. */
const MAX_FRAME = 4;
const MIN_NUMBERED = 5;

/**
 * The numbered view of a text, or undefined when it is not one: at least MIN_NUMBERED rows
 * with one prefix style and consecutive numbers, every other row blank or one of a few
 * frame rows at the start or the end.
 */
export function numberedView(text: string): NumberedView | undefined {
  const rows = text.split('\n');
  const probe = rows.slice(0, 60).find((r) => PREFIXES.some((re) => re.test(r)));
  const style = probe === undefined ? undefined : PREFIXES.find((re) => re.test(probe));
  if (!style) return undefined;
  const n = rows.length;
  const lines = new Array<string>(n);
  const prefixes = new Array<string>(n);
  const numbers = new Int32Array(n).fill(-1);
  const frame = new Uint8Array(n);
  let firstNumbered = -1;
  let lastNumbered = -1;
  let count = 0;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const m = style.exec(row);
    if (m) {
      const num = Number(m[1]);
      if (previous >= 0 && num !== previous + 1) return undefined;
      previous = num;
      numbers[i] = num;
      prefixes[i] = m[0];
      lines[i] = row.slice(m[0].length);
      if (firstNumbered < 0) firstNumbered = i;
      lastNumbered = i;
      count++;
    } else {
      prefixes[i] = '';
      lines[i] = row.trim() === '' ? row : '';
      if (row.trim() !== '') frame[i] = 1;
    }
  }
  if (count < MIN_NUMBERED) return undefined;
  // Frame rows only before the first and after the last numbered row, and only a few.
  let framed = 0;
  for (let i = 0; i < n; i++) {
    if (!frame[i]) continue;
    if (i > firstNumbered && i < lastNumbered) return undefined;
    if (++framed > MAX_FRAME * 2) return undefined;
  }
  return { lines, prefixes, numbers, frame };
}
