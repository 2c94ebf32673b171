import type { CompressContext, Compressor } from './types.js';
import { omitted } from './marker.js';
import { bm25Scores, queryTerms } from './relevance.js';

/**
 * Unified diffs and git history (`git show`, `git log [-p] [--stat]`): every changed line and
 * hunk header of the commits shown in full stays; unchanged context goes. Commits that are
 * not relevant to the query shrink to their `commit` line and subject.
 */
export const diffCompressor: Compressor = {
  kind: 'diff',
  compress(text: string, ctx: CompressContext): string {
    const lines = text.split('\n');
    const blocks = splitCommits(lines);
    const full = chooseFullBlocks(blocks, lines, ctx.query, text.length);
    const out: string[] = [];
    let summarisedRun = 0;
    let summarisedLines = 0;
    const flushSummaries = () => {
      if (summarisedRun > 0) out.push(omitted(summarisedLines, 'line', ctx.key, `author, date, message and files of the ${summarisedRun === 1 ? 'commit' : `${summarisedRun} commits`} above`));
      summarisedRun = 0;
      summarisedLines = 0;
    };
    blocks.forEach((b, bi) => {
      if (full[bi]) {
        flushSummaries();
        renderFull(lines, b, ctx.key, out);
        return;
      }
      const subject = lines.slice(b.start + 1, b.end).find((l) => /^ {4}\S/.test(l));
      out.push(lines[b.start]!);
      if (subject) out.push(subject);
      summarisedRun++;
      summarisedLines += b.end - b.start - 1 - (subject ? 1 : 0);
    });
    flushSummaries();
    return out.join('\n');
  },
};

interface Block {
  start: number;
  end: number;
}

/** Commits (from each `commit <sha>` line); text without commit lines is one block. */
function splitCommits(lines: readonly string[]): Block[] {
  const starts: number[] = [];
  lines.forEach((l, i) => {
    if (/^commit [0-9a-f]{7,40}\b/.test(l)) starts.push(i);
  });
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0);
  return starts.map((s, k) => ({ start: s, end: starts[k + 1] ?? lines.length }));
}

/** Up to this many commits (`git log -p -n 4`) are all shown in full. */
const MAX_ALWAYS_FULL = 4;

/** With several commits, only the query-relevant ones (within a budget) are shown in full. */
function chooseFullBlocks(blocks: readonly Block[], lines: readonly string[], query: string, chars: number): boolean[] {
  if (blocks.length <= MAX_ALWAYS_FULL) return blocks.map(() => true);
  const texts = blocks.map((b) => lines.slice(b.start, b.end).join('\n'));
  const terms = queryTerms(query);
  const rel = bm25Scores(texts, terms);
  const max = Math.max(0, ...rel);
  const full = blocks.map(() => false);
  if (max <= 0) return full;
  // A commit holding a query term that (almost) no other commit has is what the task names.
  const distinctive = new Set<number>();
  const lower = texts.map((t) => t.toLowerCase());
  for (const t of terms) {
    if (t.length < 5) continue;
    const hits = lower.flatMap((x, i) => (x.includes(t) ? [i] : []));
    if (hits.length > 0 && hits.length <= 2) hits.forEach((i) => distinctive.add(i));
  }
  const order = [...blocks.keys()].sort((a, b) => Number(distinctive.has(b)) - Number(distinctive.has(a)) || rel[b]! - rel[a]! || a - b);
  let used = 0;
  for (const i of order) {
    if (!distinctive.has(i) && rel[i]! < max * 0.35) break;
    if (used + texts[i]!.length > chars * 0.3 && used > 0) break;
    full[i] = true;
    used += texts[i]!.length;
  }
  return full;
}

/** `--- a/x` / `+++ b/x` right after `diff --git a/x b/x` say nothing new. */
function repeatsHeader(line: string, lines: readonly string[], i: number): boolean {
  const m = /^(?:---|\+\+\+) [ab]\/(.*)$/.exec(line);
  if (!m) return false;
  for (let k = i - 1; k >= Math.max(0, i - 4); k--) {
    if (lines[k]!.startsWith('diff --git ')) return lines[k]!.endsWith(` b/${m[1]}`);
  }
  return false;
}

const KEEP_RE = /^(?:diff --git |--- |\+\+\+ |@@ |[+-]|Binary files |rename |new file |deleted file |similarity )/;

/** A commit (or plain diff) in full: header and changed lines; context lines become counts. */
function renderFull(lines: readonly string[], b: Block, key: string, out: string[]): void {
  let inDiff = false;
  let dropped = 0;
  const flush = () => {
    if (dropped > 0) out.push(omitted(dropped, 'line', key, 'unchanged context and file headers of the diff above'));
    dropped = 0;
  };
  for (let i = b.start; i < b.end; i++) {
    const l = lines[i]!;
    if (l.startsWith('diff --git ')) inDiff = true;
    if (!inDiff && !l.startsWith('@@ ')) {
      out.push(l);
      continue;
    }
    if (l.startsWith('@@ ')) inDiff = true;
    if (KEEP_RE.test(l) && !repeatsHeader(l, lines, i)) out.push(l);
    else dropped++;
  }
  // One count per commit: a marker per file would cost more than the context it replaces.
  flush();
}
