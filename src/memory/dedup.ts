import { createHash } from 'node:crypto';
import { stem, NEGATORS, PREFER_WORDS, GENERIC_ACRONYMS, ABBREVIATIONS, STOPWORDS, LIGHT_WORDS, ARTICLES, NUMBER_WORDS, UNITS, SYNONYMS, LEXICON } from './dedup-words.js';

/**
 * When is a new memory the same as a stored one? Exact duplicates share `exactKey`. Semantic
 * duplicates need a high embedding similarity AND the same fact: memories are short and their
 * point is often one detail (port 5433, `pnpm`, "never", a path), which embedders all but
 * ignore (a sentence and its copy with another port score about 0.99). A wrong merge loses a
 * fact, a missed merge only leaves a near-duplicate row, so the rule leans towards not merging.
 */

/**
 * Minimum cosine similarity per embedder (matched by id prefix). use-lite: tuned with
 * `node scripts/tune-dedup.mjs` on fixtures/memory/dedup-pairs.jsonl (recall with precision
 * >= 0.97 on the tuning part; held out: precision 0.96, recall 0.77). It is low
 * because use-lite scores paraphrases from 0.5 up while hard negatives score 0.9 and more:
 * the detail checks below do the separating. minilm could not be downloaded where that ran,
 * so its value is chosen, not measured: high, so it errs towards not merging; re-tune it
 * with the model at hand.
 */
export const DEDUP_THRESHOLDS: Record<string, number> = {
  'use-lite': 0.55,
  minilm: 0.85,
};

/** Used for an embedder with no entry above: strict, so unknown vector spaces rarely merge. */
export const FALLBACK_THRESHOLD = 0.9;

export function dedupThreshold(embedderId: string): number {
  let best = '';
  for (const prefix of Object.keys(DEDUP_THRESHOLDS)) {
    if (embedderId.startsWith(prefix) && prefix.length > best.length) best = prefix;
  }
  return best === '' ? FALLBACK_THRESHOLD : DEDUP_THRESHOLDS[best]!;
}

/** NFKC, whitespace collapsed, trimmed, lower-cased, trailing sentence punctuation dropped. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/[\s.!?;:,\u2026\u3002]+$/u, '');
}

/** Key of exact duplicates: sha256 (hex) of the normalised text. */
export function exactKey(text: string): string {
  return createHash('sha256').update(normaliseText(text)).digest('hex');
}

/**
 * The details a memory must share with another to be merged with it, canonical and lower-case:
 * numbers and versions, paths, URLs, flags, code-span pieces, identifiers, quoted strings,
 * channel names, acronyms, names of tools/platforms/environments, and names inside a sentence.
 */
export function distinctiveTokens(text: string): Set<string> {
  return readMemory(text).details;
}

/**
 * Same memory? `similarity` is the cosine of the two texts' vectors under `embedderId`; it must
 * reach the embedder's threshold (`threshold` overrides it, for tuning), and the texts must
 * state the same fact (`sameFact`). Texts without any detail give that check little to go
 * on, so they need NO_DETAIL_MARGIN more similarity.
 */
export function isSemanticDuplicate(
  a: string,
  b: string,
  similarity: number,
  embedderId: string,
  threshold = dedupThreshold(embedderId),
): boolean {
  if (similarity < threshold) return false;
  if (normaliseText(a) === normaliseText(b)) return true;
  if (similarity < threshold + NO_DETAIL_MARGIN && distinctiveTokens(a).size + distinctiveTokens(b).size === 0) return false;
  return sameFact(a, b);
}

/**
 * Extra similarity needed when neither text holds a detail ("keep functions short" vs "keep
 * commit messages short"); chosen on the tuning part of the fixture.
 */
export const NO_DETAIL_MARGIN = 0.15;

/**
 * The rule without the similarity: both texts negative or both positive ("always" vs "never"),
 * every detail of each found in the other, the same details ruled out, and not one sentence
 * with a part swapped (see `editedSentence`).
 */
export function sameFact(a: string, b: string): boolean {
  return factDifference(a, b) === undefined;
}

/** Why two texts do not state the same fact. */
export type FactDifference =
  | { kind: 'polarity' }
  | { kind: 'detail'; token: string; in: 'a' | 'b' }
  | { kind: 'negated'; a: string[]; b: string[] }
  | { kind: 'swap'; a: string[]; b: string[]; shared: number };

/** The first reason found for `a` and `b` not to be the same fact, or undefined when none is. */
export function factDifference(a: string, b: string): FactDifference | undefined {
  const ra = readMemory(a);
  const rb = readMemory(b);
  if (ra.negative !== rb.negative) return { kind: 'polarity' };
  for (const token of ra.details) if (!mentions(rb, token)) return { kind: 'detail', token, in: 'a' };
  for (const token of rb.details) if (!mentions(ra, token)) return { kind: 'detail', token, in: 'b' };
  // "use pnpm, not npm" vs "use npm, not pnpm": what each rules out must be the same, as far as
  // both texts count it a detail (`pip install` in code is two details, in prose one).
  const na = [...ra.negated].filter((t) => rb.details.has(t)).sort();
  const nb = [...rb.negated].filter((t) => ra.details.has(t)).sort();
  if (na.length > 0 && nb.length > 0 && na.join(' ') !== nb.join(' ')) return { kind: 'negated', a: na, b: nb };
  return editedSentence(ra, rb);
}

/** Does the memory hold `token`, as a word or as a whole piece ("acme-tf-prod" in prose, `acme-tf-prod` in code)? */
function mentions(r: MemoryReading, token: string): boolean {
  return occursIn(token, r.joined) || r.pieces.has(token);
}

/** A memory as the rule reads it. */
interface MemoryReading {
  details: Set<string>;
  /** Every piece of the text whole, lower-case, outer punctuation dropped. */
  pieces: Set<string>;
  /** Canonical words in order (code, paths and numbers whole). */
  words: string[];
  /** `words` space-joined with a space either side, for whole-token lookups. */
  joined: string;
  /** Holds a negation anywhere: not, never, don't, avoid, instead of, ... */
  negative: boolean;
  /** Details after a negation in the same clause: what the memory rules out. */
  negated: Set<string>;
  /** Words (stemmed, no articles) after a negation in the same clause. */
  negatedWords: Set<string>;
}

function readMemory(text: string): MemoryReading {
  const details = new Set<string>();
  const negated = new Set<string>();
  const negatedWords = new Set<string>();
  const words: string[] = [];
  const pieces = new Set<string>();
  let negative = false;
  let clauseNegated = false;
  let clausePrefers = false;
  let sentenceStart = true;
  const add = (token: string, isDetail: boolean) => {
    if (token === '') return;
    words.push(token);
    if (clauseNegated && !ARTICLES.has(token)) negatedWords.add(stem(token));
    if (!isDetail || !/[\p{L}\p{N}]/u.test(token)) return;
    details.add(token);
    if (clauseNegated) negated.add(token);
  };

  for (const m of text.normalize('NFKC').matchAll(PIECES)) {
    const code = m[1];
    const quoted = m[2] ?? m[3] ?? m[4] ?? m[5];
    if (code !== undefined) {
      // Piece by piece, so `pnpm test` also matches a plain "pnpm test" in the other text.
      for (const piece of code.split(/\s+/)) add(canonicalCode(piece), true);
      sentenceStart = false;
      continue;
    }
    if (quoted !== undefined) {
      add(quoted.trim().toLowerCase().replace(/\s+/g, ' '), true);
      sentenceStart = false;
      continue;
    }

    const raw = m[6]!;
    const core = raw.replace(/^[([{"'“‘]+/u, '').replace(/[)\]}"'”’,;:.!?]+$/u, '');
    pieces.add(canonicalCode(core));
    const word = classify(core, sentenceStart);
    for (const w of word.words) add(w, word.details.includes(w));
    const lower = core.toLowerCase();
    if (word.negates || (clausePrefers && lower === 'over')) negative = clauseNegated = true;
    if (PREFER_WORDS.has(lower)) clausePrefers = true;

    // A clause ends after , ; : . ! ? (not after "e.g."); a sentence after . ! ? :
    const ends = !word.isAbbreviation && /[,;:.!?]["'”’)\]]*$/u.test(raw);
    sentenceStart = ends && /[.!?:]["'”’)\]]*$/u.test(raw);
    if (ends) clauseNegated = clausePrefers = false;
  }
  return { details, pieces, words, joined: ' ' + words.join(' ') + ' ', negative, negated, negatedWords };
}

/** Code spans, quoted strings ("..", “..”, ‘..’, '..' not inside a word), else runs of non-space. */
const PIECES = /`+([^`]+)`+|"([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|(?<![\p{L}\p{N}])'([^'\n]+)'(?![\p{L}\p{N}])|(\S+)/gu;

interface Word {
  words: string[];
  details: string[];
  negates: boolean;
  isAbbreviation: boolean;
}

function classify(core: string, sentenceStart: boolean): Word {
  const lower = core.toLowerCase();
  const word: Word = { words: [], details: [], negates: false, isAbbreviation: ABBREVIATIONS.has(lower) };
  if (core === '' || word.isAbbreviation) {
    if (core !== '') word.words.push(lower);
    return word;
  }
  const whole = (token: string) => {
    word.words.push(token);
    word.details.push(token);
    return word;
  };

  // URLs, flags, numbers, paths, identifiers, #channels and @handles are details whole.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(core)) return whole(lower.replace(/\/+$/, ''));
  if (/^--?[a-z][\w-]*(=\S*)?$/i.test(core)) return whole(lower);
  const number = canonicalNumber(lower);
  if (number !== undefined) {
    for (const t of number) whole(t);
    return word;
  }
  if (/[/\\_.:<>]|\p{N}/u.test(core.replace(/^\.\//, '')) || /\p{Ll}\p{Lu}/u.test(core) || /^[#@][\w-]+$/.test(core)) {
    return whole(canonicalCode(core));
  }

  // Plain words; hyphenated ones split ("thread-safe" reads like "thread safe").
  for (const part of core.split('-').filter((p) => p !== '')) {
    const bare = part.toLowerCase().replace(/['’]s$/u, '');
    const negates = NEGATORS.has(bare) || /n['’]t$/u.test(bare);
    if (negates) word.negates = true;
    const canonical = canonicalWord(bare.replace(/['’]/gu, ''));
    word.words.push(canonical);
    const acronym = /^\p{Lu}[\p{Lu}\p{N}]+s?$/u.test(part) && !negates && !GENERIC_ACRONYMS.has(bare);
    if (LEXICON.has(canonical) || acronym) word.details.push(canonical);
  }
  // A capitalised word inside a sentence is a name: a person, product, service, weekday.
  if (!sentenceStart && /^\p{Lu}\p{Ll}+$/u.test(core) && word.details.length === 0 && word.words.length === 1) {
    word.details.push(word.words[0]!);
  }
  return word;
}

/** "v18" -> 18, "5,000" -> 5000, "^1.2.0" -> 1.2.0, "18.x" / "4+" -> 18 / 4, "30s" -> 30 seconds, "80%" -> 80 percent. */
function canonicalNumber(lower: string): string[] | undefined {
  const m = /^[~^<>=v#]*(\d[\d,]*(?:\.\d+)*)(?:\.x|\+)?(%|[a-z]+)?$/.exec(lower);
  if (!m) return undefined;
  const digits = /^\d{1,3}(,\d{3})+$/.test(m[1]!) ? m[1]!.replace(/,/g, '') : m[1]!;
  if (digits.includes(',')) return undefined;
  const unit = m[2];
  if (unit === undefined) return [digits];
  const unitWord = unit === '%' ? 'percent' : UNITS[unit];
  // Names like "2fa", "1password", "5xx" stay whole.
  if (unitWord === undefined) return [lower.replace(/^[~^<>=]+/, '')];
  return unitWord === '' ? [digits] : [digits, unitWord];
}

/** Code and path pieces: lower-case, outer punctuation, "./", a trailing "/" and <placeholder> brackets dropped. */
function canonicalCode(piece: string): string {
  const t = piece
    .toLowerCase()
    .replace(/^[("'“‘[{]+/u, '')
    .replace(/[)"'”’\]},;:.!?]+$/u, '')
    .replace(/^\.\//, '')
    .replace(/[<>]/g, '');
  const stripped = t.length > 1 ? t.replace(/\/+$/, '') : t;
  return SYNONYMS[stripped] ?? stripped;
}

function canonicalWord(w: string): string {
  const known = SYNONYMS[w] ?? NUMBER_WORDS[w];
  if (known !== undefined) return known;
  if (LEXICON.has(w)) return w;
  // Plurals of lexicon words: "Fridays" -> friday.
  for (const base of [w.slice(0, -1), w.slice(0, -2)]) {
    if (base.length > 2 && /(s|es)$/.test(w) && LEXICON.has(base)) return base;
  }
  return w;
}

/** Does `token` occur in `joined` whole (not as part of a longer word or number)? */
function occursIn(token: string, joined: string): boolean {
  for (let i = joined.indexOf(token); i !== -1; i = joined.indexOf(token, i + 1)) {
    const before = joined[i - 1] ?? ' ';
    const after = joined[i + token.length] ?? ' ';
    if (!/[\p{L}\p{N}_-]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
  }
  return false;
}

/**
 * Two independent statements of one fact rarely match word for word but in one place; an
 * edited fact does exactly that. So in near-identical texts (most words the same, in the same
 * order) it is a different fact when one puts new content words (not stopwords, nor the light
 * verbs a restatement swaps freely) where the other had others
 * ("the api service" -> "the worker service"), when two content words trade places ("tables
 * ... views" -> "views ... tables"), or when they rule out different things ("a cursor, not
 * page numbers" -> "page numbers, not a cursor").
 */
function editedSentence(ra: MemoryReading, rb: MemoryReading): FactDifference | undefined {
  const sa = ra.words.map(stem);
  const sb = rb.words.map(stem);
  const { common, regions } = align(sa, sb);
  const shared = common / Math.max(sa.length, sb.length, 1);
  if (shared < NEAR_IDENTICAL) return undefined;

  const content = (w: string) => !STOPWORDS.has(w) && !LIGHT_WORDS.has(w);
  const newA = regions.flatMap((r) => r.a).filter((w) => content(w) && !sb.includes(w));
  const newB = regions.flatMap((r) => r.b).filter((w) => content(w) && !sa.includes(w));
  if (newA.length > 0 && newB.length > 0) return { kind: 'swap', a: newA, b: newB, shared };
  // One word put in another's place ("the release workflow" -> "the publish workflow"), though the
  // old one still stands elsewhere in the text. A word left unmatched on both sides only moved
  // ("running before" -> "before running"): it was not replaced.
  const unmatchedA = new Set(regions.flatMap((r) => r.a));
  const unmatchedB = new Set(regions.flatMap((r) => r.b));
  for (const r of regions) {
    const ca = r.a.filter((w) => content(w) && !unmatchedB.has(w));
    const cb = r.b.filter((w) => content(w) && !unmatchedA.has(w));
    if (ca.length === 1 && cb.length === 1 && (!sb.includes(ca[0]!) || !sa.includes(cb[0]!))) return { kind: 'swap', a: ca, b: cb, shared };
  }

  const inBoth = sa.filter((w) => content(w) && sb.includes(w));
  for (const x of inBoth) {
    for (const y of inBoth) {
      if (sa.indexOf(x) < sa.indexOf(y) && sb.indexOf(x) > sb.indexOf(y) && tradesPlaces(x, y, sa, sb)) {
        return { kind: 'swap', a: [x, y], b: [y, x], shared };
      }
    }
  }

  const wa = ra.negatedWords;
  const wb = rb.negatedWords;
  if (wa.size > 0 && wb.size > 0 && ![...wa].some((w) => wb.has(w))) return { kind: 'negated', a: [...wa], b: [...wb] };
  return undefined;
}

/**
 * Does x stand in b where y stood in a, and y where x stood? Judged by their neighbours on one
 * side ("as tables the" / "as views the"), with x and y exchanged so adjacent swaps count too.
 */
function tradesPlaces(x: string, y: string, a: string[], b: string[]): boolean {
  const bSwapped = b.map((w) => (w === x ? y : w === y ? x : w));
  const side = (ws: string[], w: string, d: -1 | 1) => ws[ws.indexOf(w) + d] ?? (d < 0 ? '^' : '$');
  return ([-1, 1] as const).some((d) => side(a, x, d) === side(bSwapped, x, d) && side(a, y, d) === side(bSwapped, y, d));
}

/**
 * Share of the longer text's words the other must hold in the same order to be near-identical
 * (chosen on the tuning part: 0.5 blocked many paraphrases, 0.7 let edited facts through).
 */
const NEAR_IDENTICAL = 0.6;

/** Longest-common-subsequence alignment: its length and the places where the sequences differ. */
function align(a: string[], b: string[]): { common: number; regions: { a: string[]; b: string[] }[] } {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const regions: { a: string[]; b: string[] }[] = [];
  let open: { a: string[]; b: string[] } | undefined;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      open = undefined;
      i++;
      j++;
      continue;
    }
    if (!open) regions.push((open = { a: [], b: [] }));
    if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) open.a.push(a[i++]!);
    else open.b.push(b[j++]!);
  }
  return { common: lcs[0]![0]!, regions };
}
