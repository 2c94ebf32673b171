import { queryTerms } from './relevance.js';

/**
 * What the agent was doing when it asked for an output: the user's task, the agent's own
 * words in the turn that made the call, and the call itself. The agent's step says best what
 * matters in the output it gets back: the identifier it is after, the path it reads, the
 * line range it asked for.
 */
export interface Step {
  /** The user's task (the latest real user text). */
  task?: string;
  /** The agent's text in the turn that made the call. */
  thought?: string;
  /** The tool's name. */
  tool?: string;
  /** The tool call's input (a command, a path, a pattern, a range...). */
  input?: unknown;
}

/** A range of line numbers, both ends included. */
type LineRange = readonly [from: number, to: number];

/** The evidence a step gives compression, derived once per output. */
export interface Focus {
  /** Query stems of the task (see `queryTerms`). */
  taskTerms: string[];
  /** Query stems of the agent's step: its text and the call. They weigh more than the task's. */
  stepTerms: string[];
  /**
   * Distinctive tokens the step names, lowercase: identifiers (camelCase, snake_case, dotted),
   * file names and paths, quoted or backquoted strings. A line holding one is strong evidence.
   */
  anchors: string[];
  /** Line numbers the step names: a range it reads, a line it goes to or talks about. */
  lines: LineRange[];
  /** The call asked for an explicit range of lines (`sed -n 120,180p`, a read with offset and limit). */
  rangeRead: boolean;
  /** The call's own text: the command, path and pattern joined. */
  callText: string;
}

const NO_FOCUS: Focus = Object.freeze({ taskTerms: [], stepTerms: [], anchors: [], lines: [], rangeRead: false, callText: '' }) as Focus;

/** The focus of a plain query string (the task only) or of an agent step. */
export function focusOf(query: string | Step | undefined): Focus {
  if (query === undefined) return NO_FOCUS;
  const step: Step = typeof query === 'string' ? { task: query } : query;
  const callText = textOfInput(step.input);
  const stepText = [step.thought ?? '', callText].join('\n');
  const taskTerms = queryTerms(step.task ?? '');
  const stepTerms = queryTerms(stepText).filter((t) => !taskTerms.includes(t));
  return {
    taskTerms,
    stepTerms,
    // The step's own anchors first; the task's (an issue naming a method) after them.
    anchors: [...new Set([...anchorsOf(stepText), ...anchorsOf(step.task ?? '')])].slice(0, MAX_ANCHORS),
    lines: [...linesOfCall(callText, step.input), ...linesOfThought(step.thought ?? '')],
    rangeRead: isRangeRead(callText, step.input),
    callText,
  };
}

/** The string values of a tool input, joined (bounded: inputs can carry whole files). */
/** The text of a tool call's input: its strings and numbers, in order, about 4,000 characters at most. */
export function textOfInput(input: unknown): string {
  const parts: string[] = [];
  let budget = 4000;
  const walk = (v: unknown, depth: number) => {
    if (budget <= 0 || depth > 4) return;
    if (typeof v === 'string') {
      parts.push(v.slice(0, budget));
      budget -= v.length;
    } else if (typeof v === 'number') parts.push(String(v));
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(input, 0);
  return parts.join('\n');
}

const MAX_ANCHORS = 40;

/**
 * Distinctive tokens: identifiers with an inner capital, an underscore or a digit; dotted
 * names; paths and file names; strings in quotes or backquotes. Plain words are left to the
 * terms: they are too common to be anchors.
 */
function anchorsOf(text: string): string[] {
  const out = new Set<string>();
  const add = (s: string) => {
    const t = s.trim().toLowerCase();
    if (t.length >= 4 && t.length <= 200 && out.size < MAX_ANCHORS) out.add(t);
  };
  for (const m of text.matchAll(/`([^`\n]{4,120})`|"([^"\n]{4,120})"|'([^'\n]{4,120})'/g)) {
    const s = m[1] ?? m[2] ?? m[3] ?? '';
    // A quoted phrase is an anchor when it reads like code or a message, not a sentence of the text.
    if (!/^(?:-|\/\/)/.test(s)) add(s.replace(/\(\)$/, ''));
  }
  for (const m of text.matchAll(/[A-Za-z_$][\w$]*(?:[.:/\\][A-Za-z_$][\w$-]*)+|[A-Za-z_$][\w$]*/g)) {
    const tok = m[0];
    if (/[./\\:]/.test(tok)) {
      // Paths and dotted names, and their last part (the file or member the agent names).
      add(tok);
      const last = tok.split(/[./\\:]+/).filter(Boolean);
      const tail = last[last.length - 1];
      if (tail && isIdentifierLike(tail)) add(tail);
      if (/\.[A-Za-z]{1,5}$/.test(tok) && last.length >= 2) add(`${last[last.length - 2]}.${tail}`);
    } else if (isIdentifierLike(tok)) add(tok);
  }
  return [...out];
}

/** camelCase, PascalCase with an inner capital, snake_case, or letters with digits. */
function isIdentifierLike(tok: string): boolean {
  return tok.length >= 4 && (/[a-z][A-Z]|[A-Z]{2}[a-z]|_[A-Za-z0-9]|[A-Za-z][0-9]|[0-9][A-Za-z]/.test(tok) || /^[A-Z][a-z]+[A-Z]/.test(tok));
}

/** Line numbers a call names: `sed -n 'A,Bp'`, `awk 'NR>=A && NR<=B'`, a read's offset and limit, a line to go to. */
function linesOfCall(callText: string, input: unknown): LineRange[] {
  const out: LineRange[] = [];
  for (const m of callText.matchAll(/\b(\d{1,7})\s*,\s*(\d{1,7})\s*p\b/g)) out.push(range(+m[1]!, +m[2]!));
  for (const m of callText.matchAll(/\bNR\s*>=?\s*(\d{1,7})\s*&&\s*NR\s*<=?\s*(\d{1,7})/g)) out.push(range(+m[1]!, +m[2]!));
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : typeof o[k] === 'string' && /^\d+$/.test(o[k] as string) ? Number(o[k]) : undefined);
    const offset = num('offset') ?? num('start_line') ?? num('line') ?? num('startLine');
    const limit = num('limit');
    const end = num('end_line') ?? num('endLine');
    if (offset !== undefined) out.push(range(offset, end ?? offset + (limit ?? 1) - 1));
    const vr = o['view_range'] ?? o['range'];
    if (Array.isArray(vr) && typeof vr[0] === 'number') out.push(range(vr[0], typeof vr[1] === 'number' && vr[1] > 0 ? vr[1] : vr[0]));
  }
  // A bare number as the last word of a short command: `open path 120`, `goto 120`.
  const last = /^\s*[\w./-]+(?:\s+[^\s\d][^\s]*)*\s+(\d{1,7})\s*$/.exec(callText);
  if (last && !/\|/.test(callText) && callText.length < 300) out.push(range(+last[1]!, +last[1]!));
  return out;
}

/** Line numbers the agent's text talks about: "line 120", "lines 120-180", "L120", "file.py:120". */
function linesOfThought(thought: string): LineRange[] {
  const out: LineRange[] = [];
  for (const m of thought.matchAll(/\blines?\s+(\d{1,7})(?:\s*(?:-|–|to|through|and)\s*(\d{1,7}))?/gi)) out.push(range(+m[1]!, m[2] ? +m[2] : +m[1]!));
  for (const m of thought.matchAll(/\bL(\d{1,7})(?:-L?(\d{1,7}))?\b/g)) out.push(range(+m[1]!, m[2] ? +m[2] : +m[1]!));
  for (const m of thought.matchAll(/\.[A-Za-z]{1,5}:(\d{1,7})\b/g)) out.push(range(+m[1]!, +m[1]!));
  return out;
}

function range(a: number, b: number): LineRange {
  return a <= b ? [a, b] : [b, a];
}

function isRangeRead(callText: string, input: unknown): boolean {
  if (/\b\d{1,7}\s*,\s*\d{1,7}\s*p\b|\bNR\s*>=?\s*\d/.test(callText)) return true;
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    if (o['limit'] !== undefined && o['offset'] !== undefined) return true;
    if (Array.isArray(o['view_range'])) return true;
  }
  return false;
}

/** Whether line `n` is named by the focus, or within `slack` lines of a named one. */
export function nearFocusLine(f: Focus, n: number, slack = 0): boolean {
  return f.lines.some(([a, b]) => n >= a - slack && n <= b + slack);
}
