/** Document-wide facts the JSON compressor needs before it prunes. */

/** True when brackets nest deeper than `limit` (scanned without recursion). */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escapes the next char
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

interface DefaultValue {
  /** The value, as JSON. */
  json: string;
  /** How many times the pruner left it out. */
  omitted: number;
}
export type Defaults = Map<string, DefaultValue>;

const MIN_OCCURRENCES = 20;
const MIN_SHARE = 0.9;

/**
 * Keys that nearly always carry the same primitive value (`"overridden": false` in every
 * node of a dependency tree): left out where they have it, and named once in a note.
 */
export function frequentDefaults(root: unknown): Defaults {
  const perKey = new Map<string, Map<string, number>>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x !== null && typeof x === 'object') stack.push(x);
        else {
          const counts = perKey.get(k) ?? new Map<string, number>();
          const s = JSON.stringify(x);
          counts.set(s, (counts.get(s) ?? 0) + 1);
          perKey.set(k, counts);
        }
      }
    }
  }
  const defaults: Defaults = new Map();
  for (const [k, counts] of perKey) {
    let total = 0;
    let best = '';
    let bestCount = 0;
    for (const [s, c] of counts) {
      total += c;
      if (c > bestCount || (c === bestCount && s < best)) {
        best = s;
        bestCount = c;
      }
    }
    // Only cheap literals: a default string would hide real data behind a note.
    const literal = best === 'false' || best === 'true' || best === 'null' || best === '""' || best === '0';
    if (literal && total >= MIN_OCCURRENCES && bestCount / total >= MIN_SHARE) defaults.set(k, { json: best, omitted: 0 });
  }
  return defaults;
}
