import type { CompressContext, Compressor, ContentKind } from './types.js';
import { budgetChars, readWhole } from './budget.js';
import type { Focus } from './focus.js';
import { lineTemplate } from './line-template.js';
import { focusRelevance } from './relevance.js';
import { chooseLines, clipLongLines, MAX_BUDGET_CHARS, renderKept } from './select-lines.js';
import { readStructure } from './structure/index.js';

/**
 * Logs, test runs, builds and crashes: line streams. The structure rules mark what the
 * output reports (an exception and where it happened, a failing test and its assertion, a
 * diagnostic and its location, the summary); errors and warnings weigh by severity; lines
 * holding what the agent's step names stay whatever their level; a repeated line or template
 * keeps its first and last occurrence and the rest fold into a counted marker, as do passing
 * tests and library frames.
 */
export function lineStreamCompressor(kind: ContentKind): Compressor {
  return { kind, compress: (text, ctx) => compressLineStream(text, ctx, kind === 'log') };
}

export const logCompressor: Compressor = lineStreamCompressor('log');

function compressLineStream(text: string, ctx: CompressContext, eventLog: boolean): string {
  const lines = clipLongLines(text.split('\n'), ctx.key);
  if (lines.length < 8) return lines.join('\n');
  const n = lines.length;
  const structure = readStructure(lines);
  const marks = structure.marks;
  const severity = lines.map(lineSeverity);
  // Severity is part of the template: a 502 is not "the same line" as a 200.
  const templates = lines.map((l, i) => `${severity[i]}${lineTemplate(l)}`);
  const templateCount = new Map<string, number>();
  for (const t of templates) templateCount.set(t, (templateCount.get(t) ?? 0) + 1);
  const rarity = templates.map((t) => 1 / Math.sqrt(templateCount.get(t)!));
  const rel = lineRelevance(lines, templates, ctx.focus);
  const { first, last } = templateEnds(templates);
  const seenCount = new Map<string, number>();
  const occurrence = templates.map((t) => {
    const k = seenCount.get(t) ?? 0;
    seenCount.set(t, k + 1);
    return k;
  });

  const value = new Float64Array(n);
  const must = new Uint8Array(n);
  let mustChars = 0;
  for (let i = 0; i < n; i++) {
    if (lines[i]!.trim() === '') continue;
    const sev = severity[i]!;
    const repeated = templateCount.get(templates[i]!)! >= 3 && !first[i] && !last[i];
    let v = 0;
    // A repeated error or warning is still an event the agent may need (when, how often); a
    // repeated routine line is not.
    if (repeated && !marks.filler[i]) v += sev === SEV_ERROR ? 2 : sev === SEV_WARN ? 1 : 0;
    if (!marks.filler[i] && !repeated) {
      v += rarity[i]! * BASE;
      if (sev === SEV_ERROR) v += 3;
      else if (sev === SEV_WARN) v += 1.5;
      else if (sev === SEV_SUMMARY) v += 4;
      // The first line of a recurring pattern marks when it started: worth more than a one-off.
      if (first[i] && templateCount.get(templates[i]!)! > 1) v += sev >= SEV_WARN ? 2 : 1;
      else if (last[i] && templateCount.get(templates[i]!)! > 1) v += sev >= SEV_WARN ? 2 : 0.5;
    }
    // Relevance to the step comes on top of what the line is: of two failures, the one the
    // step names goes first.
    // A line the structure calls filler (a passing test, a library frame) stays filler unless
    // the step names it outright.
    const relevance = marks.filler[i] && rel[i]! < NAMED ? FILLER_RELEVANCE * rel[i]! : rel[i]!;
    value[i] = Math.max(v, marks.weight[i]!) + 3 * relevance;
    // What the structure rules require, summaries, and the first and last occurrence of every
    // error template, always stay; so does a line the step clearly names.
    // A line the rules require but that repeats one template many times (the same failed check
    // for sixty keys) stays as its first occurrences and its last; the rest compete on value.
    const structural = marks.must[i] && (occurrence[i]! < KEPT_REPEATS || last[i] || templateCount.get(templates[i]!)! <= KEPT_REPEATS + 1);
    if (structural || sev === SEV_SUMMARY || (sev === SEV_ERROR && (first[i] || last[i])) || rel[i]! >= NAMED) {
      must[i] = 1;
      // A must line may open a gap: half a marker each, on average.
      mustChars += lines[i]!.length + 1 + MARKER_SHARE;
    }
  }
  // Past its evidence, an event log is a stream of routine events: a twentieth of it is kept,
  // within the ceiling for the output's size (a test run or a build keeps up to the ceiling:
  // what fills it there is failures and diagnostics, its filler stays out by value). What must
  // stay may take more, up to MUST_SHARE of the output: dense failures are all the agent needs.
  const ceiling = budgetChars(text.length, ctx.tokens, ctx.keep);
  const routine = readWhole(ctx.tokens, ctx.keep) || !eventLog ? ceiling : Math.min(ceiling, (1500 + text.length * LOG_SHARE) * ctx.keep);
  const budget = Math.max(routine, Math.min(mustChars * 1.2, text.length * MUST_SHARE * ctx.keep, MAX_BUDGET_CHARS));
  const keep = chooseLines(
    { lines, value, must, tiedTo: marks.tiedTo, templates, labels: marks.labels },
    { budgetChars: budget, minValue: MIN_VALUE },
  );
  return renderKept(lines, keep, { key: ctx.key, templates, labels: marks.labels });
}

/** Worth of a line for being there at all: a one-off line gets it whole, a repeated one less. */
const BASE = 0.3;
/** Lines below this are filler: the middle of a repeated template, a passing test, a library frame. */
const MIN_VALUE = 0.2;
/** A line whose relevance reaches this names what the step is about (an id, a path it asked for). */
const NAMED = 0.9;
const LOG_SHARE = 0.05;
const MUST_SHARE = 0.6;
const MAX_ANCHOR = 2;
const MARKER_SHARE = 32;
const FILLER_RELEVANCE = 0.05;
/** Of a required line repeated by template, this many first occurrences stay (and the last). */
const KEPT_REPEATS = 2;
const MAX_BLOCK = 15;

/**
 * Relevance of each line to the step: its terms, shared out over each template (see
 * relevanceRanks), plus the anchors it
 * holds at full weight (an instance id the step names is worth keeping in every line that has
 * it), and inherited by the indented continuation lines of a relevant head line.
 */
function lineRelevance(lines: readonly string[], templates: readonly string[], focus: Focus): Float64Array {
  const terms = focusRelevance(lines, { stepTerms: focus.stepTerms, taskTerms: focus.taskTerms, anchors: [] });
  const anchors = focusRelevance(lines, { stepTerms: [], taskTerms: [], anchors: focus.anchors });
  let max = 1e-9;
  for (const t of terms) if (t > max) max = t;
  const damping = relevanceRanks(terms, templates);
  const rel = new Float64Array(lines.length);
  let head = -1;
  for (let i = 0; i < lines.length; i++) {
    // An anchor counts for what it is worth in this output: 1 on the one line that holds it, less
    // the more lines share it (a service name on every line says nothing about any of them).
    rel[i] = (terms[i]! / max) * damping[i]! + Math.min(MAX_ANCHOR, anchors[i]!);
    const line = lines[i]!;
    if (/^\s+\S/.test(line)) {
      if (head >= 0 && i - head <= MAX_BLOCK) rel[i] = Math.max(rel[i]!, 0.9 * rel[head]!);
    } else if (line.trim() !== '') head = i;
  }
  return rel;
}

/**
 * Relevance shared out within each template: its most relevant line keeps all of it, the
 * next 1/sqrt(2), the k-th 1/sqrt(k), so the instances that match the step best stand out
 * and a thousand repeats of one relevant pattern cannot crowd out everything else.
 */
function relevanceRanks(terms: Float64Array, templates: readonly string[]): Float64Array {
  const byTemplate = new Map<string, number[]>();
  templates.forEach((t, i) => {
    if (terms[i]! <= 0) return;
    const list = byTemplate.get(t);
    if (list) list.push(i);
    else byTemplate.set(t, [i]);
  });
  const damping = new Float64Array(templates.length).fill(1);
  for (const list of byTemplate.values()) {
    list.sort((a, b) => terms[b]! - terms[a]! || a - b);
    list.forEach((i, k) => (damping[i] = 1 / Math.sqrt(k + 1)));
  }
  return damping;
}

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
