import type { CompressContext, Compressor } from './types.js';
import { budgetChars } from './budget.js';
import { chooseLines, clipLongLines, renderKept } from './select-lines.js';

/**
 * File listings: `find`, `ls`, `ls -l`, `ls -R`, `tree`, `git ls-files`. An agent lists files to
 * find the one it is after, and names it in its own words: the class, module or function the
 * task is about (`JsonAnySetter` for `AnySetterTest.java`, `parseHeaders` for
 * `parse-headers.js`). So each entry is scored by the words of its name (camelCase, snake_case
 * and kebab-case split) that the task and step use, rare words weighing most, and two words in
 * the order the query has them weighing more still. In `ls -R` a file is read under its
 * directory's header: a kept entry brings its header along.
 */
export const listingCompressor: Compressor = {
  kind: 'listing',
  compress(text: string, ctx: CompressContext): string {
    const lines = clipLongLines(text.split('\n'), ctx.key);
    if (lines.length < 6) return lines.join('\n');
    const entries = lines.map(parseListingLine);
    const headerOf = sectionHeaders(entries);
    const rel = nameRelevance(entries, ctx.query);
    const value = new Float64Array(lines.length);
    const must = new Uint8Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      // A line that is not an entry (`find: './x': Permission denied`, a compiler's error before
      // its file list) is the exception in the listing: it stays.
      const exception = entries[i]!.path === undefined && !META_RE.test(line);
      value[i] = BASE + rel[i]! + (exception ? 1 : 0);
      if (rel[i]! >= STRONG || exception) must[i] = 1;
    }
    // A header is worth what its best entry is worth: it says where that entry is.
    for (let i = 0; i < lines.length; i++) {
      const h = headerOf[i]!;
      if (h >= 0 && value[i]! > value[h]!) value[h] = value[i]!;
    }
    const keep = chooseLines({ lines, value, must }, { budgetChars: budgetChars(text.length, ctx.tokens, ctx.keep) });
    for (let i = 0; i < lines.length; i++) if (keep[i] && headerOf[i]! >= 0) keep[headerOf[i]!] = 1;
    return renderKept(lines, keep, { key: ctx.key, unit: 'entry' });
  },
};

/** Worth of an entry for being there at all (the rest is its name's relevance, up to 1). */
const BASE = 0.1;
/** Relevance at which an entry stays whatever else competes (its name holds the query's words in order). */
const STRONG = 0.75;

/** What one line of a listing is. */
interface ListingLine {
  /** The entry's path as printed (a bare name in `ls`, a path in `find`). */
  path?: string;
  /** An `ls -R` section header (`./src/main:`): the directory of the lines under it. */
  header?: boolean;
}

const LS_LONG_RE = /^[-dlcbpsD][rwxsStT-]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+[\d,]+\s+(?:\S+\s+){2,3}(.+)$/;
const TREE_RE = /^[\s│|]*[├└`|][─-]{2}\s+(.+)$/;
const HEADER_RE = /^(\S[^:]*):$/;
const PATH_RE = /^\s*((?:[A-Za-z]:)?[\w.@+~$#%=,-]*(?:[/\\][\w.@+~$#%=, -]*)*)\s*$/;
const META_RE = /^(?:total \d+|\d+ director(?:y|ies)(?:, \d+ files?)?)$/;

export function parseListingLine(line: string): ListingLine {
  const t = line.trimEnd();
  if (t === '') return {};
  const long = LS_LONG_RE.exec(t);
  if (long) return { path: long[1]!.replace(/ -> .*$/, '') };
  const tree = TREE_RE.exec(t);
  if (tree) return { path: tree[1]! };
  const header = HEADER_RE.exec(t);
  if (header && !/\s/.test(header[1]!)) return { path: header[1]!, header: true };
  const path = PATH_RE.exec(t);
  // A folder may be named by digits alone (`2.10`, a version).
  if (path && /[A-Za-z0-9]/.test(path[1]!)) return { path: path[1]! };
  return {};
}

/**
 * Whether sampled lines are a file listing: nearly all of them entries, headers or an `ls`
 * total, and enough of them paths or file names (not a column of words).
 */
export function isListing(nonEmpty: readonly string[]): boolean {
  if (nonEmpty.length < 8) return false;
  let entries = 0;
  let pathLike = 0;
  for (const l of nonEmpty) {
    if (META_RE.test(l.trim())) {
      entries++;
      continue;
    }
    const e = parseListingLine(l);
    if (e.path === undefined) continue;
    entries++;
    if (/[A-Za-z]/.test(e.path) && (e.header || /[/\\]|\.\w{1,10}$/.test(e.path) || LS_LONG_RE.test(l))) pathLike++;
  }
  return entries >= nonEmpty.length * 0.85 && pathLike >= nonEmpty.length * 0.5;
}

/** For each line, the index of the `ls -R` header it sits under (-1: none, or a header itself). */
function sectionHeaders(entries: readonly ListingLine[]): Int32Array {
  const out = new Int32Array(entries.length).fill(-1);
  let current = -1;
  for (let i = 0; i < entries.length; i++) {
    if (entries[i]!.header) current = i;
    else if (entries[i]!.path !== undefined) out[i] = current;
  }
  return out;
}

/** The words of a name: camelCase, PascalCase, snake_case, kebab-case and dotted names split, lowercase. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !/^\d+$/.test(w));
}

/** Weight of a word of an entry's directories next to one of its own name. */
const DIR_WEIGHT = 0.25;

/**
 * Relevance of each entry to the query, from 0 to 1: the rarity (idf over the listing) of each
 * of its name's words the query uses, plus as much again for each pair of adjacent name words
 * that the query has adjacent too; directory words count a quarter. A word every entry has
 * (the extension the command asked for) is worth nearly nothing.
 */
function nameRelevance(entries: readonly ListingLine[], query: string): Float64Array {
  const rel = new Float64Array(entries.length);
  const queryWords = nameWords(query);
  if (queryWords.length === 0) return rel;
  const inQuery = new Set(queryWords);
  const pairs = new Set<string>();
  for (let i = 1; i < queryWords.length; i++) pairs.add(`${queryWords[i - 1]} ${queryWords[i]}`);
  const split = entries.map((e) => {
    if (e.path === undefined) return undefined;
    const parts = e.path.split(/[/\\]+/).filter(Boolean);
    const name = e.header ? parts.join('/') : (parts.pop() ?? '');
    return { own: nameWords(name), dirs: e.header ? [] : nameWords(parts.join('/')) };
  });
  const df = new Map<string, number>();
  let n = 0;
  for (const s of split) {
    if (!s) continue;
    n++;
    for (const w of new Set([...s.own, ...s.dirs])) if (inQuery.has(w)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const idf = (w: string) => Math.log(1 + (n - (df.get(w) ?? 0) + 0.5) / ((df.get(w) ?? 0) + 0.5));
  // One rare word of the name is about half of full relevance; two in the query's order, full.
  const scale = 2 * Math.log(1 + (n - 0.5) / 1.5);
  split.forEach((s, i) => {
    if (!s) return;
    let score = 0;
    const counted = new Set<string>();
    for (const w of s.own) if (inQuery.has(w) && !counted.has(w)) (counted.add(w), (score += idf(w)));
    for (let k = 1; k < s.own.length; k++) if (pairs.has(`${s.own[k - 1]} ${s.own[k]}`)) score += idf(s.own[k - 1]!) + idf(s.own[k]!);
    for (const w of new Set(s.dirs)) if (inQuery.has(w) && !counted.has(w)) score += DIR_WEIGHT * idf(w);
    rel[i] = Math.min(1, score / scale);
  });
  return rel;
}
