import type { CompressContext, Compressor } from './types.js';
import { lineTemplate } from './line-template.js';
import { bm25Scores, queryTerms } from './relevance.js';
import { MAX_BUDGET_CHARS, clipLongLines, pickLines, renderKept } from './select-lines.js';

/**
 * Logs, test-runner and build output: keep errors, warnings, failures, stack traces and
 * summaries, the lines relevant to the query, and the first and last line of every
 * recurring template; collapse the rest into counted markers.
 */
export const logCompressor: Compressor = {
  kind: 'log',
  compress(text: string, ctx: CompressContext): string {
    const lines = clipLongLines(text.split('\n'), ctx.key);
    if (lines.length < 8) return lines.join('\n');
    const n = lines.length;
    const severity = lines.map(lineSeverity);
    // Severity is part of the template: a 502 is not "the same line" as a 200.
    const templates = lines.map((l, i) => `${severity[i]}${lineTemplate(l)}`);
    const templateCount = new Map<string, number>();
    for (const t of templates) templateCount.set(t, (templateCount.get(t) ?? 0) + 1);

    const rarity = templates.map((t) => 1 / Math.sqrt(templateCount.get(t)!));
    const rel = blockRelevance(lines, rarity, ctx.query);
    const { first, last } = templateEnds(templates);

    const scores = new Float64Array(n);
    const must = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (lines[i]!.trim() === '') continue;
      const sev = severity[i]!;
      let s = 3 * rel[i]! + rarity[i]!;
      if (sev === SEV_ERROR) s += 3;
      else if (sev === SEV_WARN) s += 1.5;
      else if (sev === SEV_SUMMARY) s += 4;
      // The first line of a recurring pattern marks when it started: worth more than a one-off.
      if (first[i]) s += sev >= SEV_WARN ? 2 : rarity[i]! < 0.6 ? 2.3 : 1.2;
      else if (last[i]) s += sev >= SEV_WARN ? 2 : 0.5;
      scores[i] = s;
      // Summaries, and the first and last occurrence of every error template, always stay.
      if (sev === SEV_SUMMARY || (sev === SEV_ERROR && (first[i] || last[i]))) must[i] = 1;
    }
    markStackTraces(lines, severity, must);
    markRelevantBlocks(lines, rel, must, scores);
    capMust(lines, must, scores, text.length * 0.25);

    const budget = Math.min(MAX_BUDGET_CHARS, 1500 + text.length * 0.05);
    const keep = pickLines(lines, scores, must, budget);
    return renderKept(lines, keep, { key: ctx.key, templates });
  },
};

/**
 * Query relevance per line, shared out over each template (one relevant pattern repeated a
 * thousand times must not crowd out everything else), and inherited by the indented
 * continuation lines of a relevant head line (a compiler error's detail, a SQL statement).
 */
function blockRelevance(lines: readonly string[], rarity: readonly number[], query: string): Float64Array {
  const raw = bm25Scores(lines, queryTerms(query));
  const max = Math.max(1e-9, ...raw);
  const rel = new Float64Array(lines.length);
  let head = -1;
  for (let i = 0; i < lines.length; i++) {
    rel[i] = (raw[i]! / max) * rarity[i]!;
    const line = lines[i]!;
    if (/^\s+\S/.test(line)) {
      if (head >= 0 && i - head <= MAX_BLOCK) rel[i] = Math.max(rel[i]!, 0.9 * rel[head]!);
    } else if (line.trim() !== '') head = i;
  }
  return rel;
}

const MAX_BLOCK = 15;

function templateEnds(templates: readonly string[]): { first: Uint8Array; last: Uint8Array } {
  const first = new Uint8Array(templates.length);
  const last = new Uint8Array(templates.length);
  const firstSeen = new Map<string, number>();
  const lastSeen = new Map<string, number>();
  templates.forEach((t, i) => {
    if (!firstSeen.has(t)) firstSeen.set(t, i);
    lastSeen.set(t, i);
  });
  for (const i of firstSeen.values()) first[i] = 1;
  for (const i of lastSeen.values()) last[i] = 1;
  return { first, last };
}

const SEV_NONE = 0;
const SEV_WARN = 1;
const SEV_ERROR = 2;
const SEV_SUMMARY = 3;

const ERROR_RE =
  /\b(?:FATAL|PANIC|CRIT(?:ICAL)?|EMERG(?:ENCY)?|ALERT|ERROR|ERR!|SEVERE|Exception|Traceback)\b|\[(?:error|crit|alert|emerg)\]|\berror(?: TS\d+|\[E\d+\])?:|^\s*(?:not ok\b|FAIL\b|✗|✖|×|\d+\) )|(?:^|\s)(?:[A-Z]\w*)?Error(?: \[\w+\])?:|" 5\d\d \d/;
const WARN_RE = /\b(?:WARN(?:ING)?|warn(?:ing)?:|DEPRECAT\w*)\b|\[warn\]|" 4\d\d \d/;
const SUMMARY_RE =
  /^\s*(?:\d+ (?:passing|failing|pending|passed|failed|skipped)\b|Tests?:|Test Suites:|Test Files|# (?:tests|pass|fail|skipped|todo)\b|Ran \d+ tests?|FAILED|OK \(|=+ .*(?:passed|failed).* =+|Found \d+ errors?|\d+ errors? generated|npm ERR! code)/;

function lineSeverity(line: string): number {
  if (SUMMARY_RE.test(line)) return SEV_SUMMARY;
  if (ERROR_RE.test(line)) return SEV_ERROR;
  if (WARN_RE.test(line)) return SEV_WARN;
  return SEV_NONE;
}

/** An error or a run's summary (`FATAL: …`, `Error: …`, `3 failed`): worth keeping in any kind of text. */
export function reportsFailure(line: string): boolean {
  return lineSeverity(line) >= SEV_ERROR;
}

const FRAME_RE = /^\s+(?:at |File "|from |\.\.\. \d+ more|Caused by:)|^\s*at .+:\d+:\d+\)?$/;

/** Keep up to a few frames of every stack trace that follows a kept error line. */
function markStackTraces(lines: readonly string[], severity: readonly number[], must: Uint8Array): void {
  const MAX_FRAMES = 6;
  for (let i = 0; i < lines.length; i++) {
    if (!must[i] || severity[i] !== SEV_ERROR) continue;
    if (/^\s*not ok\b/.test(lines[i]!)) {
      markTapDiagnostics(lines, i, must);
      continue;
    }
    let frames = 0;
    for (let j = i + 1; j < lines.length && frames < MAX_FRAMES; j++) {
      if (!FRAME_RE.test(lines[j]!)) {
        if (frames > 0 || j > i + 3) break;
        continue;
      }
      must[j] = 1;
      frames++;
    }
  }
}

/** A failing TAP test's YAML diagnostics (`---` ... `...`): the assertion and its values. */
function markTapDiagnostics(lines: readonly string[], head: number, must: Uint8Array): void {
  const MAX_LINES = 40;
  if (!/^\s+---\s*$/.test(lines[head + 1] ?? '')) return;
  for (let j = head + 1; j < lines.length && j - head <= MAX_LINES; j++) {
    must[j] = 1;
    if (/^\s+\.\.\.\s*$/.test(lines[j]!)) return;
  }
}

/** A kept head line that is clearly relevant keeps its whole indented continuation. */
function markRelevantBlocks(lines: readonly string[], rel: Float64Array, must: Uint8Array, scores: Float64Array): void {
  for (let i = 0; i < lines.length; i++) {
    if (!must[i] || rel[i]! < 0.5 || /^\s/.test(lines[i]!)) continue;
    for (let j = i + 1; j < lines.length && j - i <= MAX_BLOCK && /^\s+\S/.test(lines[j]!); j++) {
      must[j] = 1;
      scores[j] = Math.max(scores[j]!, scores[i]!);
    }
  }
}

/** When the must-keep lines alone exceed the cap, keep only the best-scored of them. */
function capMust(lines: readonly string[], must: Uint8Array, scores: Float64Array, cap: number): void {
  let total = 0;
  const idx: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!must[i]) continue;
    total += lines[i]!.length + 1;
    idx.push(i);
  }
  if (total <= cap) return;
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  let used = 0;
  for (const i of idx) {
    const cost = lines[i]!.length + 1;
    if (used + cost <= cap) used += cost;
    else must[i] = 0;
  }
}

