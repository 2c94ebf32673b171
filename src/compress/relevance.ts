/**
 * Query relevance: BM25 over the units of one output (lines, items, blocks), with the
 * query reduced to stems that are matched as lowercase substrings. Substring matching
 * lets "prototype" find `setPrototypeOf` and "runner" find `onSendHookRunner`.
 */
const STOPWORDS = new Set(
  ('a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our out so than that the their them then there these they this those to too was ' +
    'we were what when where which while who why will with would you your also any all there here about after ' +
    'before being each few more most other some such only own same just now find tell give show need want ' +
    'look help please use using used get got make made see seems seem since very actually already still ' +
    'should something anything thing things way one two')
    .split(' '),
);

const MIN_TERM = 3;

/** Lowercase stems of the informative words of a query, deduplicated, in query order. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  const add = (t: string) => {
    if (t.length >= MIN_TERM && !seen.has(t)) {
      seen.add(t);
      terms.push(t);
    }
  };
  // Compound tokens first (lib/reply.js, content-length, 05:53, TS2322), then their words.
  for (const raw of query.match(/[A-Za-z0-9_][\w.\-/:#@]*[A-Za-z0-9_]/g) ?? []) {
    const lower = raw.toLowerCase();
    if (/[.\-/:#@]/.test(lower) && !lower.endsWith('.')) add(lower);
    for (const word of lower.split(/[^a-z0-9_]+/)) {
      if (!word || STOPWORDS.has(word)) continue;
      add(stem(word));
    }
  }
  return terms;
}

/** Light suffix stripping; the stem is matched as a substring, so a prefix is enough. */
function stem(word: string): string {
  if (/^\d/.test(word)) return word;
  let w = word;
  if (w.length > 5 && w.endsWith('ies')) w = w.slice(0, -3) + 'y';
  else if (w.length > 5 && (w.endsWith('ing') || w.endsWith('ed'))) w = w.replace(/(ing|ed)$/, '');
  else if (w.length > 4 && w.endsWith('es') && /(ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}

const K1 = 1.2;
const B = 0.75;

/**
 * BM25 score of every unit against the query terms. Units are raw text, lowercased here.
 * Each term is searched once over the whole joined text (native indexOf), and its hits are
 * mapped back to units, so the cost is one pass per term rather than one per unit.
 * Returns zeros when the query has no informative terms.
 */
export function bm25Scores(units: readonly string[], terms: readonly string[]): Float64Array {
  const n = units.length;
  const scores = new Float64Array(n);
  if (terms.length === 0 || n === 0) return scores;
  const joined = units.join('\n').toLowerCase();
  const starts = new Uint32Array(n + 1);
  for (let i = 0, pos = 0; i < n; i++) {
    starts[i] = pos;
    pos += units[i]!.length + 1;
  }
  starts[n] = joined.length + 1;
  const avgLen = Math.max(1, (joined.length - (n - 1)) / n);
  const tf = new Uint32Array(n);
  const touched: number[] = [];
  for (const term of terms) {
    touched.length = 0;
    let unit = 0;
    for (let at = joined.indexOf(term); at !== -1; at = joined.indexOf(term, at + term.length)) {
      while (starts[unit + 1]! <= at) unit++;
      if (tf[unit] === 0) touched.push(unit);
      tf[unit]!++;
    }
    const df = touched.length;
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (const i of touched) {
      const f = tf[i]!;
      const norm = f + K1 * (1 - B + (B * units[i]!.length) / avgLen);
      scores[i] = scores[i]! + (idf * (f * (K1 + 1))) / norm;
      tf[i] = 0;
    }
  }
  return scores;
}

/** Weight of the task's terms next to the step's (the agent's own words and call). */
const TASK_WEIGHT = 0.6;

/**
 * Relevance of each unit to an agent's step: BM25 of the step's terms and, weighing less, the
 * task's (each normalised to the best unit), plus a point for each anchor the unit holds
 * (an identifier, path or quoted string the step names), less for anchors many units hold.
 */
export function focusRelevance(units: readonly string[], focus: { stepTerms: readonly string[]; taskTerms: readonly string[]; anchors: readonly string[] }): Float64Array {
  const rel = new Float64Array(units.length);
  const addNormalised = (scores: Float64Array, weight: number) => {
    let max = 0;
    for (const s of scores) if (s > max) max = s;
    if (max <= 0) return;
    for (let i = 0; i < rel.length; i++) rel[i] = rel[i]! + (weight * scores[i]!) / max;
  };
  addNormalised(bm25Scores(units, focus.stepTerms), 1);
  addNormalised(bm25Scores(units, focus.taskTerms), TASK_WEIGHT);
  if (focus.anchors.length === 0 || units.length === 0) return rel;
  const joined = units.join('\n').toLowerCase();
  const starts = new Uint32Array(units.length + 1);
  for (let i = 0, pos = 0; i < units.length; i++) {
    starts[i] = pos;
    pos += units[i]!.length + 1;
  }
  starts[units.length] = joined.length + 1;
  const hitUnits: number[] = [];
  for (const anchor of focus.anchors) {
    hitUnits.length = 0;
    let unit = 0;
    for (let at = joined.indexOf(anchor); at !== -1; at = joined.indexOf(anchor, at + anchor.length)) {
      while (starts[unit + 1]! <= at) unit++;
      if (hitUnits[hitUnits.length - 1] !== unit) hitUnits.push(unit);
    }
    if (hitUnits.length === 0) continue;
    const w = 1 / Math.sqrt(hitUnits.length);
    for (const u of hitUnits) rel[u] = rel[u]! + w;
  }
  return rel;
}
