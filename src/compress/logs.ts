import type { CompressContext, Compressor, ContentKind } from './types.js';
import { budgetChars, readWhole } from './budget.js';
import type { Focus } from './focus.js';
import { lineTemplate } from './line-template.js';
import { focusRelevance } from './relevance.js';
import { chooseLines, clipLongLines, MAX_BUDGET_CHARS, renderKept } from './select-lines.js';
import { tie, type Marks } from './structure/marks.js';
import { readStructure, takeKept } from './structure/index.js';

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
  const structure = takeKept(text) ?? readStructure(lines);
  const marks = structure.marks;
  const severity = lines.map(lineSeverity);
  tieErrorDetails(lines, severity, marks);
  // Severity is part of the template: a 502 is not "the same line" as a 200.
  const { templates, count, first, last, occurrence } = templateStats(lines, severity);
  const rel = lineRelevance(lines, templates, ctx.focus);

  const value = new Float64Array(n);
  const must = new Uint8Array(n);
  let mustChars = 0;
  for (let i = 0; i < n; i++) {
    if (lines[i]!.trim() === '') continue;
    const sev = severity[i]!;
    const repeated = count[i]! >= 3 && !first[i] && !last[i];
    let v = 0;
    // A repeated error or warning is still an event the agent may need (when, how often); a
    // repeated routine line is not.
    if (repeated && !marks.filler[i]) v += sev === SEV_ERROR ? 2 : sev === SEV_WARN ? 1 : 0;
    if (!marks.filler[i] && !repeated) {
      v += BASE / Math.sqrt(count[i]!);
      if (sev === SEV_ERROR) v += 3;
      else if (sev === SEV_WARN) v += 1.5;
      else if (sev === SEV_SUMMARY) v += 4;
      // The first line of a recurring pattern marks when it started: worth more than a one-off.
      if (first[i] && count[i]! > 1) v += sev >= SEV_WARN ? 2 : 1;
      else if (last[i] && count[i]! > 1) v += sev >= SEV_WARN ? 2 : 0.5;
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
    const structural = marks.must[i] && (occurrence[i]! < KEPT_REPEATS || last[i] || count[i]! <= KEPT_REPEATS + 1);
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

/**
 * The lines that carry an error's detail stay with it: right after an error line, the lines
 * labelled as its detail (`DETAIL:`, `HINT:`, `STATEMENT:`, `Caused by:` ...) or indented
 * under it, up to the first line that is neither.
 */
function tieErrorDetails(lines: readonly string[], severity: readonly number[], marks: Marks): void {
  for (let i = 0; i < lines.length; i++) {
    if (severity[i] !== SEV_ERROR) continue;
    for (let j = i + 1; j < lines.length && j <= i + MAX_DETAIL && severity[j] !== SEV_ERROR; j++) {
      if (!(DETAIL_RE.test(lines[j]!) || INDENTED_RE.test(lines[j]!))) break;
      tie(marks, j, i);
    }
  }
}

const DETAIL_RE = /\b(?:DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION|Caused by|Reason|Details?|Cause):\s/;
const INDENTED_RE = /^\s+\S/;
const MAX_DETAIL = 8;

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
function lineRelevance(lines: readonly string[], templates: Int32Array, focus: Focus): Float64Array {
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
function relevanceRanks(terms: Float64Array, templates: Int32Array): Float64Array {
  const byTemplate = new Map<number, number[]>();
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

interface TemplateStats {
  /** The template of each line (its id: lines with the same id share a template). */
  templates: Int32Array;
  /** How many lines share each line's template. */
  count: Int32Array;
  /** The line is its template's first, or last, occurrence. */
  first: Uint8Array;
  last: Uint8Array;
  /** How many lines of its template came before it. */
  occurrence: Int32Array;
}

/** Templates and their counts in one pass; a line seen before is not templated again. */
function templateStats(lines: readonly string[], severity: readonly number[]): TemplateStats {
  const n = lines.length;
  const ids = new Map<string, number>();
  const byLine = new Map<string, number>();
  const templates = new Int32Array(n);
  const seen: number[] = [];
  const lastOf: number[] = [];
  const occurrence = new Int32Array(n);
  const first = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // A line's severity follows from its text: the line alone keys what was seen.
    const line = lines[i]!;
    let id = byLine.get(line);
    if (id === undefined) {
      const t = `${severity[i]}${lineTemplate(line)}`;
      id = ids.get(t);
      if (id === undefined) {
        id = ids.size;
        ids.set(t, id);
        seen.push(0);
        lastOf.push(i);
      }
      byLine.set(line, id);
    }
    templates[i] = id;
    occurrence[i] = seen[id]!;
    if (seen[id] === 0) first[i] = 1;
    seen[id]!++;
    lastOf[id] = i;
  }
  const count = new Int32Array(n);
  const last = new Uint8Array(n);
  for (let i = 0; i < n; i++) count[i] = seen[templates[i]!]!;
  for (const i of lastOf) last[i] = 1;
  return { templates, count, first, last, occurrence };
}

const SEV_NONE = 0;
const SEV_WARN = 1;
const SEV_ERROR = 2;
const SEV_SUMMARY = 3;

const ERROR_RE =
  /\b(?:FATAL|PANIC|CRIT(?:ICAL)?|EMERG(?:ENCY)?|ALERT|ERROR|ERR!|SEVERE|Exception|Traceback)\b|\b(?:terminated|killed) by signal\b|\bSegmentation fault\b|\bcore dumped\b|\b[Oo]ut of memory\b|\boom-kill|\[(?:error|crit|alert|emerg)\]|\berror(?: TS\d+|\[E\d+\])?:|^\s*(?:not ok\b|FAIL\b|✗|✖|×|\d+\) )|(?:^|\s)(?:[A-Z]\w*)?Error(?: \[\w+\])?:|" 5\d\d \d/;
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
