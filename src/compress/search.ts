import type { CompressContext, Compressor } from './types.js';
import { omitted } from './marker.js';
import { focusRelevance } from './relevance.js';
import { readWhole } from './budget.js';
import { MAX_BUDGET_CHARS, chooseLines, clipLongLines } from './select-lines.js';

/**
 * Search results (`path:line:text`, ripgrep/grep, with `path-line-` context lines): every hit
 * in a file the step names, then the matches most relevant to the step (and in the files
 * whose hits are), the definitions among them, each with its -A/-B context, in the tool's
 * order; the rest summarised as match counts per file.
 */
export const searchCompressor: Compressor = {
  kind: 'search',
  compress(text: string, ctx: CompressContext): string {
    const lines = clipLongLines(text.split('\n'), ctx.key);
    if (lines.length < 12) return lines.join('\n');
    const parsed = lines.map(parseResultLine);
    const rel = focusRelevance(lines, ctx.focus);
    let maxRel = 1e-9;
    for (const r of rel) if (r > maxRel) maxRel = r;
    const fileRel = fileRelevance(parsed, rel, maxRel);
    const named = namedFiles(parsed, ctx.focus.anchors);
    const value = new Float64Array(lines.length);
    const must = new Uint8Array(lines.length);
    const tiedTo = contextTies(parsed);
    let mustChars = 0;
    for (let i = 0; i < lines.length; i++) {
      const p = parsed[i];
      if (!p) continue;
      // A hit weighs by its own relevance, its file's, and whether it defines something; a
      // context line (-A/-B) goes with its hit.
      value[i] = p.hit ? rel[i]! / maxRel + fileRel.get(p.file)! * FILE_WEIGHT + (DEFINITION_RE.test(p.content) ? 0.6 : 0) + 0.05 : rel[i]! / maxRel;
      // Every hit in a file the step names is what the step is about.
      if (p.hit && named.has(p.file)) {
        must[i] = 1;
        mustChars += lines[i]!.length + 1;
      }
    }
    // Under the size read whole, every hit may be the one the agent opens next.
    const routine = readWhole(ctx.tokens, ctx.keep) ? text.length : Math.min(MAX_BUDGET_CHARS, 600 + text.length * 0.05) * ctx.keep;
    const budget = Math.max(routine, Math.min(mustChars * 1.2, text.length * 0.6 * ctx.keep, MAX_BUDGET_CHARS));
    const keep = chooseLines({ lines, value, must, tiedTo }, { budgetChars: budget, edges: false });

    const out: string[] = [];
    const omittedPerFile = new Map<string, number>();
    let omittedTotal = 0;
    for (let i = 0; i < lines.length; i++) {
      if (keep[i]) out.push(lines[i]!);
      else if (lines[i]!.trim() !== '' && lines[i] !== '--') {
        const f = parsed[i]?.file ?? '(other lines)';
        omittedPerFile.set(f, (omittedPerFile.get(f) ?? 0) + 1);
        omittedTotal++;
      }
    }
    if (omittedTotal > 0) out.push(omitted(omittedTotal, 'line', ctx.key, summarise(omittedPerFile)));
    return out.join('\n');
  },
};

/** How much a hit gains from being in a file whose hits match the step well. */
const FILE_WEIGHT = 0.3;

interface ResultLine {
  file: string;
  /** A match (`path:12:`) rather than a context line (`path-12-`). */
  hit: boolean;
  content: string;
}

/** A `path:line:text` match or `path-line-text` context line of grep/ripgrep. */
function parseResultLine(line: string): ResultLine | undefined {
  const m = /^(.+?)([:-])(\d+)\2/.exec(line);
  if (!m) return undefined;
  return { file: m[1]!, hit: m[2] === ':', content: line.slice(m[0].length) };
}

/** Each file's relevance: the mean of its hits' relevance, against the best file's. */
function fileRelevance(parsed: ReadonlyArray<ResultLine | undefined>, rel: Float64Array, maxRel: number): Map<string, number> {
  const sum = new Map<string, [number, number]>();
  parsed.forEach((p, i) => {
    if (!p?.hit) return;
    const s = sum.get(p.file) ?? [0, 0];
    s[0] += rel[i]! / maxRel;
    s[1]++;
    sum.set(p.file, s);
  });
  let best = 1e-9;
  for (const [total, n] of sum.values()) best = Math.max(best, total / n);
  const out = new Map<string, number>();
  for (const p of parsed) if (p && !out.has(p.file)) out.set(p.file, sum.has(p.file) ? sum.get(p.file)![0] / sum.get(p.file)![1] / best : 0);
  return out;
}

/** Files the step names (its path anchors end with the file's path or name). */
function namedFiles(parsed: ReadonlyArray<ResultLine | undefined>, anchors: readonly string[]): Set<string> {
  const paths = anchors.filter((a) => /[/\\]|\.[a-z0-9]{1,5}$/i.test(a));
  const out = new Set<string>();
  if (paths.length === 0) return out;
  for (const p of parsed) {
    if (!p || out.has(p.file)) continue;
    const file = p.file.toLowerCase().replace(/^\.\//, '');
    if (paths.some((a) => file.endsWith(a.replace(/^\.\//, '')) || a.endsWith(file))) out.add(p.file);
  }
  return out;
}

/** Context lines (-A/-B/-C) are tied to the nearest hit of their group (groups end at `--`). */
function contextTies(parsed: ReadonlyArray<ResultLine | undefined>): Int32Array {
  const tied = new Int32Array(parsed.length).fill(-1);
  let groupStart = 0;
  const flush = (end: number) => {
    for (let i = groupStart; i < end; i++) {
      const p = parsed[i];
      if (!p || p.hit) continue;
      let best = -1;
      for (let d = 1; d < end - groupStart && best < 0; d++) {
        for (const j of [i - d, i + d]) {
          if (j >= groupStart && j < end && parsed[j]?.hit && parsed[j]!.file === p.file) {
            best = j;
            break;
          }
        }
      }
      tied[i] = best;
    }
  };
  for (let i = 0; i < parsed.length; i++) {
    if (parsed[i] === undefined) {
      flush(i);
      groupStart = i + 1;
    }
  }
  flush(parsed.length);
  return tied;
}

const DEFINITION_RE =
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\b|class\b|def\b|fn\b|func\b|interface\b|type\s+\w+\s*=|struct\b|enum\b|impl\b|(?:const|let|var)\s+\w+\s*=\s*(?:async\s*)?(?:\(|function\b)|[\w.]+\s*=\s*(?:async\s*)?function\b|(?:public|private|protected|static)\s)/;

const MAX_LISTED = 12;

function summarise(perFile: Map<string, number>): string {
  const entries = [...perFile.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = entries.slice(0, MAX_LISTED).map(([f, c]) => `${f} ${c}`);
  const rest = entries.slice(MAX_LISTED);
  if (rest.length > 0) listed.push(`${rest.length} more files ${rest.reduce((a, [, c]) => a + c, 0)}`);
  return `per file: ${listed.join(', ')}`;
}
