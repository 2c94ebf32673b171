import type { CompressContext, Compressor } from './types.js';
import { omitted } from './marker.js';
import { focusRelevance } from './relevance.js';
import { readWhole } from './budget.js';
import { MAX_BUDGET_CHARS, chooseLines, clipLongLines } from './select-lines.js';

/**
 * Search results (`path:line:text`, ripgrep/grep, with `path-line-` context lines): keep the
 * matches most relevant to the query and the definitions among them, grouped by file as
 * the tool printed them; summarise the rest as match counts per file.
 */
export const searchCompressor: Compressor = {
  kind: 'search',
  compress(text: string, ctx: CompressContext): string {
    const lines = clipLongLines(text.split('\n'), ctx.key);
    if (lines.length < 12) return lines.join('\n');
    const files = lines.map(fileOf);
    const rel = focusRelevance(lines, ctx.focus);
    let maxRel = 1e-9;
    for (const r of rel) if (r > maxRel) maxRel = r;
    const scores = new Float64Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      if (files[i] === undefined) continue;
      const content = lines[i]!.slice(files[i]!.length + 1).replace(/^\d+[:-]/, '');
      scores[i] = rel[i]! / maxRel + (DEFINITION_RE.test(content) ? 0.6 : 0) + 0.05;
    }
    const must = new Uint8Array(lines.length);
    // Under the size read whole, every hit may be the one the agent opens next.
    const budget = readWhole(ctx.tokens) ? text.length : Math.min(MAX_BUDGET_CHARS, 600 + text.length * 0.05);
    const keep = chooseLines({ lines, value: scores, must }, { budgetChars: budget, edges: false });

    const out: string[] = [];
    const omittedPerFile = new Map<string, number>();
    let omittedTotal = 0;
    for (let i = 0; i < lines.length; i++) {
      if (keep[i]) out.push(lines[i]!);
      else if (lines[i]!.trim() !== '' && lines[i] !== '--') {
        const f = files[i] ?? '(other lines)';
        omittedPerFile.set(f, (omittedPerFile.get(f) ?? 0) + 1);
        omittedTotal++;
      }
    }
    if (omittedTotal > 0) out.push(omitted(omittedTotal, 'line', ctx.key, summarise(omittedPerFile)));
    return out.join('\n');
  },
};

const DEFINITION_RE =
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\b|class\b|def\b|fn\b|func\b|interface\b|type\s+\w+\s*=|struct\b|enum\b|impl\b|(?:const|let|var)\s+\w+\s*=\s*(?:async\s*)?(?:\(|function\b)|[\w.]+\s*=\s*(?:async\s*)?function\b|(?:public|private|protected|static)\s)/;

/** The file of a `path:line:` or `path-line-` result line. */
function fileOf(line: string): string | undefined {
  const m = /^(.+?)[:-](\d+)[:-]/.exec(line);
  return m ? m[1] : undefined;
}

const MAX_LISTED = 12;

function summarise(perFile: Map<string, number>): string {
  const entries = [...perFile.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = entries.slice(0, MAX_LISTED).map(([f, c]) => `${f} ${c}`);
  const rest = entries.slice(MAX_LISTED);
  if (rest.length > 0) listed.push(`${rest.length} more files ${rest.reduce((a, [, c]) => a + c, 0)}`);
  return `per file: ${listed.join(', ')}`;
}
