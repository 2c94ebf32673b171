/** A diagnostic's leading location: `src/a.ts(12,5)`, `a.c:12:5`, `pool_test.go:41`. */
const LOCATION_RE = /^(\s*)[^\s:(]+?(?:\(\d+(?:,\d+)?\)|(?::\d+){1,2})(?=[:\s])/;

const MAX_TEMPLATE_INPUT = 400;
const MAX_QUOTED = 200;

/**
 * The template of a line: the line with its variable parts masked, so "same line but for
 * numbers/ids" compare equal: a leading file location (the same diagnostic at sixty places
 * is one template), a string in double quotes, one in single quotes or backquotes (a type in
 * a type checker's message; not an apostrophe), and every run of hex characters that holds a
 * digit (numbers, timestamps, IPs, UUIDs, hashes, ids). Lines without digits or quotes are
 * their own template. One pass over the line.
 */
export function lineTemplate(line: string): string {
  const t = line.length > MAX_TEMPLATE_INPUT ? line.slice(0, MAX_TEMPLATE_INPUT) : line;
  if (!/["'`\d]/.test(t)) return t;
  const loc = LOCATION_RE.exec(t);
  let out = loc ? `${loc[1]}<loc>` : '';
  let from = loc ? loc[0].length : 0; // start of the text not yet copied
  let i = from;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === DQ || ((c === SQ || c === BQ) && !isWordOrQuote(t.charCodeAt(i - 1)))) {
      const end = closingQuote(t, i, c);
      if (end > 0) {
        out += t.slice(from, i) + (c === DQ ? '"<s>"' : "'<s>'");
        i = from = end + 1;
        continue;
      }
    }
    if (isHex(c)) {
      let j = i;
      let digit = false;
      for (; j < n && isHex(t.charCodeAt(j)); j++) if (t.charCodeAt(j) <= 57) digit = true;
      if (digit) {
        out += `${t.slice(from, i)}#`;
        from = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return out + t.slice(from);
}

const DQ = 34;
const SQ = 39;
const BQ = 96;

/** Where a quote opened at `i` closes on this line, or -1 (a single or back quote must not be followed by a word). */
function closingQuote(t: string, i: number, q: number): number {
  const limit = Math.min(t.length, i + MAX_QUOTED + 2);
  for (let j = i + 1; j < limit; j++) {
    const c = t.charCodeAt(j);
    if (q === DQ) {
      if (c === DQ) return j;
      continue;
    }
    if (c === SQ || c === BQ) return c === q && j > i + 1 && !isWordOrQuote(t.charCodeAt(j + 1)) ? j : -1;
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isWordOrQuote(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === SQ || c === BQ;
}
