import { compressText } from '../compress/compress-text.js';
import type { CcrStore } from '../compress/ccr-store.js';
import { omitted } from '../compress/marker.js';
import { FAILURE_LINE_RE } from './huge-output.js';
import { queryTerms } from '../compress/relevance.js';
import { countTokens } from '../compress/tokens.js';

/** Outputs under this many tokens are printed unchanged by default. */
export const DEFAULT_MIN_TOKENS = 2000;

export interface SourceResult {
  text: string;
  tokensBefore: number;
  tokensAfter: number;
  /** The retrieval key of the stored original, when the output was compressed. */
  key?: string;
}

/**
 * The line that ends a compressed output: how much was cut and how to get the rest with the
 * agent's own shell, so retrieval needs no proxy.
 */
export function retrieveNote(key: string, before: number, after: number, query: string): string {
  const q = query.trim() === '' ? 'WHAT YOU NEED' : query.replace(/["\\$`\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  return `[headroom: output compressed from ${before} to ${after} tokens; the full output: headroom retrieve ${key} (add --query "${q}" for the matching lines only)]`;
}

/** Rough tokens for a size check before counting exactly (about 4 bytes per token in logs and code). */
export function roughTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

/**
 * Compresses one command's output at the source, query-aware, keeping the original retrievable.
 * Text under `minTokens`, or text the engine cannot shrink, comes back unchanged (no key).
 */
export function compressSourceText(text: string, opts: { query: string; minTokens: number; store: CcrStore; maxChars?: number }): SourceResult {
  // A cheap bound first: counting tokens of every small output would cost more than it saves.
  const rough = roughTokens(Buffer.byteLength(text));
  if (rough < opts.minTokens / 2) return { text, tokensBefore: rough, tokensAfter: rough };
  const tokensBefore = countTokens(text);
  if (tokensBefore < opts.minTokens) return { text, tokensBefore, tokensAfter: tokensBefore };
  const r = compressToFit(text, opts);
  if (r.text === text) return { text, tokensBefore, tokensAfter: tokensBefore };
  const key = opts.store.put(text);
  const compressed = r.text.replace(/\n*$/, '');
  const fitted = opts.maxChars ? fitToChars(compressed, opts.maxChars - NOTE_ROOM, opts.query, key) : compressed;
  const body = `${fitted}\n${retrieveNote(key, tokensBefore, fitted === compressed ? r.tokensAfter : countTokens(fitted), opts.query)}\n`;
  return { text: body, tokensBefore, tokensAfter: countTokens(body), key };
}

/** Room left under an agent's size limit for the retrieve note (its query is cut to 120 characters). */
export const NOTE_ROOM = 400;

/**
 * Compresses for the query; under an agent's own size limit, with less kept (a smaller `keep`
 * factor, twice at most) until the result fits, so the engine rather than the cut in
 * fitToChars chooses what goes.
 */
function compressToFit(text: string, opts: { query: string; store: CcrStore; maxChars?: number }): ReturnType<typeof compressText> {
  const room = opts.maxChars ? opts.maxChars - NOTE_ROOM : Infinity;
  let keep = 1;
  let r = compressText(text, { query: opts.query, store: opts.store });
  for (let tries = 0; tries < 2 && r.text.length > room && r.text !== text; tries++) {
    keep *= (0.9 * room) / r.text.length;
    r = compressText(text, { query: opts.query, store: opts.store, keep });
  }
  return r;
}

/** A piece of a line: whole lines up to PIECE_CHARS, longer ones (one-line JSON) cut at separators. */
interface Piece {
  line: number;
  text: string;
}

const PIECE_CHARS = 400;

/** A line as pieces of about PIECE_CHARS, cut after a comma, semicolon, brace or space where there is one. */
function piecesOf(line: string, index: number): Piece[] {
  if (line.length <= PIECE_CHARS * 2) return [{ line: index, text: line }];
  const out: Piece[] = [];
  let from = 0;
  while (from < line.length) {
    let to = Math.min(line.length, from + PIECE_CHARS);
    if (to < line.length) {
      const window = line.slice(from + PIECE_CHARS / 2, to);
      const cut = Math.max(window.lastIndexOf(','), window.lastIndexOf(';'), window.lastIndexOf('}'), window.lastIndexOf(' '));
      if (cut >= 0) to = from + PIECE_CHARS / 2 + cut + 1;
    }
    out.push({ line: index, text: line.slice(from, to) });
    from = to;
  }
  return out;
}

/** Room a gap marker takes (about 70 characters) plus a newline. */
const MARKER_COST = 72;

/**
 * Cuts a (compressed) text to at most `maxChars`, for agents that would cut it again
 * themselves. Lines longer than two pieces (one-line JSON) are cut into pieces first, so a
 * fact inside one is kept without the rest of it. Kept first: the first and last pieces; then
 * pieces with the query's words (rarer words weigh more) or a failure; then their neighbours;
 * then, while room is left, pieces spread evenly over the rest. In their order, with a marker
 * naming `key` for each gap.
 */
export function fitToChars(text: string, maxChars: number, query: string, key: string): string {
  if (text.length <= maxChars) return text;
  const lines = text.split('\n');
  const pieces = lines.flatMap((l, i) => piecesOf(l, i));
  const lowered = pieces.map((p) => p.text.toLowerCase());
  // A query word found in few pieces says more than one found in most (inverse frequency).
  const weights = queryTerms(query).map((t) => {
    const n = lowered.reduce((k, l) => k + (l.includes(t) ? 1 : 0), 0);
    return { t, w: n === 0 ? 0 : Math.log(1 + pieces.length / n) };
  });
  const score = (i: number): number => weights.reduce((sum, { t, w }) => sum + (lowered[i]!.includes(t) ? w : 0), 0) + (FAILURE_LINE_RE.test(pieces[i]!.text) ? 1 : 0);
  // The first and last pieces, fewer of them in a small budget (15 each from 27,000 characters up).
  const edge = Math.max(2, Math.min(15, Math.floor(maxChars / 1800)));
  const isEdge = (i: number): boolean => i < edge || i >= pieces.length - edge;

  const keep = new Set<number>();
  let used = 0;
  const take = (i: number): void => {
    if (keep.has(i) || i < 0 || i >= pieces.length) return;
    const cost = pieces[i]!.text.length + MARKER_COST;
    if (used + cost > maxChars) return;
    keep.add(i);
    used += cost;
  };
  const scored = pieces.map((_, i) => ({ i, s: isEdge(i) ? 1e9 : score(i) })).filter((x) => x.s > 0);
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  for (const { i } of scored) {
    take(i);
    // A piece of a cut line is read with the pieces around it (a JSON field's neighbours).
    if (pieces[i - 1]?.line === pieces[i]!.line) take(i - 1);
    if (pieces[i + 1]?.line === pieces[i]!.line) take(i + 1);
  }
  for (const { i } of scored) {
    take(i - 1);
    take(i + 1);
  }
  // Whatever room is left: pieces spread over the text, so no stretch of it is unseen.
  const rest = pieces.map((_, i) => i).filter((i) => !keep.has(i));
  const avgCost = rest.reduce((n, i) => n + pieces[i]!.text.length + MARKER_COST, 0) / Math.max(1, rest.length);
  const room = Math.floor((maxChars - used) / Math.max(1, avgCost));
  if (room > 0) for (let k = 0; k < rest.length; k += Math.max(1, rest.length / room)) take(rest[Math.floor(k)]!);

  const out: string[] = [];
  let gapLines = 0;
  let current = -1;
  let previous = -1;
  const charsOf = (from: number, to: number): number => pieces.slice(from, to).reduce((n, p) => n + p.text.length, 0);
  const charMarker = (n: number): string => omitted(n, 'character', key);
  /** Ends the line being written: a marker for its pieces after the last one kept. */
  const closeLine = (): void => {
    if (current < 0) return;
    let end = previous + 1;
    while (end < pieces.length && pieces[end]!.line === current) end++;
    if (end > previous + 1) out[out.length - 1] += ` ${charMarker(charsOf(previous + 1, end))}`;
  };
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (!keep.has(i)) {
      // A line with no piece kept counts once, at its last piece.
      if (p.line !== current && (i + 1 === pieces.length || pieces[i + 1]!.line !== p.line)) gapLines++;
      continue;
    }
    if (p.line === current) {
      out[out.length - 1] += previous === i - 1 ? p.text : ` ${charMarker(charsOf(previous + 1, i))} ${p.text}`;
    } else {
      closeLine();
      if (gapLines > 0) out.push(omitted(gapLines, 'line', key));
      gapLines = 0;
      let start = i;
      while (start > 0 && pieces[start - 1]!.line === p.line) start--;
      out.push(start < i ? `${charMarker(charsOf(start, i))} ${p.text}` : p.text);
      current = p.line;
    }
    previous = i;
  }
  closeLine();
  if (gapLines > 0) out.push(omitted(gapLines, 'line', key));
  const fitted = out.join('\n');
  // The estimate above can miss when many runs close up; a smaller budget then.
  return fitted.length <= maxChars || maxChars < 500 ? fitted : fitToChars(text, Math.floor(maxChars * 0.9), query, key);
}
