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
      if (summarisedRun > 0) out.push(omitted(summarisedLines, 'line', ctx.key, `author, date, message and files of the ${summarisedRun} commit(s) above`));
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

/** With several commits, only the query-relevant ones (within a budget) are shown in full. */
function chooseFullBlocks(blocks: readonly Block[], lines: readonly string[], query: string, chars: number): boolean[] {
  if (blocks.length <= 2) return blocks.map(() => true);
  const texts = blocks.map((b) => lines.slice(b.start, b.end).join('\n'));
  const rel = bm25Scores(texts, queryTerms(query));
  const max = Math.max(0, ...rel);
  const full = blocks.map(() => false);
  if (max <= 0) return full;
  const order = [...blocks.keys()].sort((a, b) => rel[b]! - rel[a]! || a - b);
  let used = 0;
  for (const i of order) {
    if (rel[i]! < max * 0.35) break;
    if (used + texts[i]!.length > chars * 0.25 && used > 0) break;
    full[i] = true;
    used += texts[i]!.length;
  }
  return full;
}

const KEEP_RE = /^(?:diff --git |--- |\+\+\+ |@@ |[+-]|Binary files |rename |new file |deleted file |similarity )/;

/** A commit (or plain diff) in full: header and changed lines; context lines become counts. */
function renderFull(lines: readonly string[], b: Block, key: string, out: string[]): void {
  let inDiff = false;
  let dropped = 0;
  const flush = () => {
    if (dropped > 0) out.push(omitted(dropped, 'unchanged line', key));
    dropped = 0;
  };
  for (let i = b.start; i < b.end; i++) {
    const l = lines[i]!;
    if (l.startsWith('diff --git ')) {
      flush();
      inDiff = true;
    }
    if (!inDiff && !l.startsWith('@@ ')) {
      out.push(l);
      continue;
    }
    if (l.startsWith('@@ ')) inDiff = true;
    if (KEEP_RE.test(l)) out.push(l);
    else dropped++;
    // One count per file section keeps markers from costing more than the context they replace.
    if (i + 1 < b.end && lines[i + 1]!.startsWith('diff --git ')) flush();
  }
  flush();
}
