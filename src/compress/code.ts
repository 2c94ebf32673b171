import type Parser from 'tree-sitter';
import { detectCodeLanguage, GRAMMARS, isCodeLanguage, parserFor, type CodeLanguage, type Grammar } from './code-language.js';
import { budgetChars } from './budget.js';
import { nearFocusLine } from './focus.js';
import { omitted } from './marker.js';
import { numberedView, type NumberedView } from './numbered-view.js';
import { focusRelevance } from './relevance.js';
import type { CompressContext, Compressor } from './types.js';

/**
 * Source files: keep the outline (imports, declarations, signatures, doc comments, short
 * statements) and replace each function body with one marker line, except the few bodies
 * most relevant to the query. Works on whole lines of the original text, so whatever is
 * kept (with its `cat -n` prefix, when the input has them) survives byte for byte.
 */
export const codeCompressor: Compressor = {
  kind: 'code',
  compress(text: string, ctx: CompressContext): string {
    const language = isCodeLanguage(ctx.language) ? ctx.language : detectCodeLanguage(text);
    if (!language) return text;
    // A range the agent asked for by line numbers is the object of its step: it stays whole
    // unless it is too big to read.
    if (ctx.focus.rangeRead && text.length <= WHOLE_RANGE_CHARS) return text;
    const original = text.split('\n');
    // Minified or one-line text has nothing to elide line by line; a huge file would take
    // seconds to parse. Neither is worth a parse.
    const tooFewLines = original.length < MIN_ELIDED + 2 || text.length / original.length > MAX_MEAN_LINE;
    if (tooFewLines || text.length > MAX_CHARS) return text;
    const view = numberedView(text);
    const lines = view ? view.lines : original;
    const source = view ? lines.join('\n') : text;
    const units = parseUnits(source, lines, original, language);
    if (!units) return text;
    const numbers = view ? view.numbers : Int32Array.from(original, (_, i) => i + 1);
    const keep = chooseRows(units, source, original, numbers, ctx, budgetChars(text.length, ctx.tokens, ctx.keep));
    return renderRows(original, lines, keep, view, ctx.key) ?? text;
  },
};

/** A range asked for by line numbers up to this size is left whole (~4k tokens). */
const WHOLE_RANGE_CHARS = 16_000;

type Range = readonly [start: number, end: number];

/** A function body or long statement, with the long doc comment above it. */
interface Unit {
  /** Rows a marker may replace: the doc comment's tail, then the body. */
  ranges: Range[];
  /** Characters those rows hold in the input. */
  cost: number;
  /** Rows of the body among those ranges (0 when only a doc comment goes). */
  rows: number;
  /** First row of the declaration with its comments and decorators. */
  firstRow: number;
  /** The declaration with its comments, for relevance scoring: the comments start here... */
  textStart: number;
  /** ...and the code here. */
  codeStart: number;
  textEnd: number;
  /** Units nested inside (collected only for possible wrappers: huge functions, callbacks). */
  inner: Unit[];
}

/** Bodies of up to three lines stay: a marker would not save anything. */
const MIN_ELIDED = 4;
/** A marker line is ~80 characters; a range must hold clearly more to be worth one. */
const MIN_SAVED = 160;
/** Inputs beyond these (mean line length, total size) are passed through unparsed. */
const MAX_MEAN_LINE = 400;
const MAX_CHARS = 5_000_000;
/** Statements outside functions longer than this are elided like bodies. */
const LONG_STATEMENT = 15;
/** A function spanning this share of the file, or a callback, may be a mere wrapper. */
const WRAPPER_SHARE = 0.5;
const ARGUMENT_LISTS = new Set(['arguments', 'argument_list']);
/** ...and is one when the bodies of the functions inside cover this share of its body. */
const WRAPPER_COVER = 0.7;
/** Give up (return the input) when syntax errors cover this share of the text. */
const MAX_ERROR_SHARE = 0.3;

const FALLBACKS: Partial<Record<CodeLanguage, [CodeLanguage, string?][]>> = {
  javascript: [['javascript'], ['typescript'], ['typescript', 'tsx']],
  typescript: [['typescript'], ['typescript', 'tsx']],
};

function parseUnits(source: string, lines: readonly string[], original: readonly string[], language: CodeLanguage): Unit[] | undefined {
  const rowStarts = offsets(original);
  const lineStarts = lines === original ? rowStarts : offsets(lines);
  let best: { units: Unit[]; errorChars: number } | undefined;
  // Detection can mistake TypeScript for JavaScript, and TypeScript may hold JSX: when a
  // parse stumbles, the related grammars get a try and the cleanest tree wins.
  for (const [grammar, variant] of FALLBACKS[language] ?? [[language]]) {
    let tree: Parser.Tree;
    try {
      // A callback input, so the binding copies chunks rather than one huge string.
      tree = parserFor(grammar, variant).parse((index) => source.slice(index, index + 8192));
    } catch {
      return undefined;
    }
    const found = collectUnits(tree, lines, lineStarts, rowStarts, GRAMMARS[grammar]);
    if (!best || found.errorChars < best.errorChars) best = found;
    if (!tree.rootNode.hasError) break;
  }
  if (!best || best.errorChars > source.length * MAX_ERROR_SHARE) return undefined;
  return best.units;
}

function offsets(lines: readonly string[]): number[] {
  const starts = new Array<number>(lines.length + 1);
  starts[0] = 0;
  for (let i = 0; i < lines.length; i++) starts[i + 1] = starts[i]! + lines[i]!.length + 1;
  return starts;
}

/** One walk over the syntax tree; function bodies are entered only when they may be wrappers. */
function collectUnits(
  tree: Parser.Tree,
  lines: readonly string[],
  lineStarts: readonly number[],
  rowStarts: readonly number[],
  grammar: Grammar,
): { units: Unit[]; errorChars: number } {
  const cursor = tree.walk();
  let errorChars = 0;
  let functionsSeen = 0;

  const unitOf = (body: Range | undefined, firstRow: number, textEnd: number): Unit | undefined => {
    const leading = leadingComments(lines, firstRow);
    const ranges = [leading.trim, body].filter(
      (r): r is Range => r !== undefined && r[1] - r[0] + 1 >= MIN_ELIDED && rowStarts[r[1] + 1]! - rowStarts[r[0]]! >= MIN_SAVED,
    );
    if (ranges.length === 0) return undefined;
    let cost = 0;
    for (const [s, e] of ranges) cost += rowStarts[e + 1]! - rowStarts[s]!;
    const rows = body && ranges.includes(body) ? body[1] - body[0] + 1 : 0;
    return { ranges, cost, rows, firstRow: leading.first, textStart: lineStarts[leading.first]!, codeStart: lineStarts[firstRow]!, textEnd, inner: [] };
  };

  const visitChildren = (into: Unit[]): void => {
    if (!cursor.gotoFirstChild()) return;
    do visit(into);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };

  const visit = (into: Unit[]): void => {
    const type = cursor.nodeType;
    if (type === 'ERROR') errorChars += cursor.endIndex - cursor.startIndex;
    if (grammar.functions.has(type)) {
      functionsSeen++;
      const node = cursor.currentNode;
      const unit = unitOf(bodyRows(node, lines), node.startPosition.row, node.endIndex);
      if (!unit) return; // a short body stays whole, nested functions included
      const callback = ARGUMENT_LISTS.has(node.parent?.type ?? '');
      if (callback || unit.rows >= lines.length * WRAPPER_SHARE) visitChildren(unit.inner);
      into.push(unit);
      return;
    }
    const first = cursor.startPosition.row;
    const last = cursor.endPosition.row;
    if (grammar.data.has(type) && last - first + 1 >= LONG_STATEMENT && cursor.currentNode.firstNamedChild?.type !== 'string') {
      const before = functionsSeen;
      const inner: Unit[] = [];
      visitChildren(inner);
      // Statements holding functions (export objects, IIFEs) are outline: only bodies go.
      const unit = functionsSeen > before ? undefined : unitOf([first + 1, last - 1], first, cursor.endIndex);
      into.push(...(unit ? [unit] : inner));
      return;
    }
    visitChildren(into);
  };

  const units: Unit[] = [];
  visitChildren(units);
  return { units: unwrap(units), errorChars };
}

/**
 * A wrapper (a huge function or a callback: an IIFE, a `describe` block) made mostly of
 * functions is not a unit itself: its parts are, and its other lines stay.
 */
function unwrap(units: Unit[]): Unit[] {
  return units.flatMap((u) => {
    let innerRows = 0;
    for (const i of u.inner) innerRows += i.rows;
    return u.inner.length > 0 && innerRows >= u.rows * WRAPPER_COVER ? unwrap(u.inner) : [u];
  });
}

/** The rows of a function body a marker may replace (without braces or docstring). */
function bodyRows(node: Parser.SyntaxNode, lines: readonly string[]): Range | undefined {
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  let start = body.startPosition.row + 1;
  let end = body.endPosition.row - 1;
  if (node.type === 'function_definition' && body.type === 'block') {
    // Python: no braces; keep the signature and the docstring.
    const header = node.childForFieldName('return_type') ?? node.childForFieldName('parameters');
    const statements = body.namedChildren.filter((c) => c.type !== 'comment');
    const first = statements[0];
    const last = statements[statements.length - 1];
    if (!header || !first || !last) return undefined;
    const docstring = first.type === 'expression_statement' && first.firstNamedChild?.type === 'string';
    start = Math.max(header.endPosition.row, docstring ? first.endPosition.row : -1) + 1;
    end = last.endPosition.row;
  }
  while (end >= start && lines[end]!.trim() === '') end--;
  return end >= start ? [start, end] : undefined;
}

/** Comment lines, and decorators or attributes, that belong to the declaration below. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*|#(?:\s|$)|--)/;
const DECORATOR_LINE = /^\s*(?:@\w|#\[)/;
/** A comment line without words: where a doc comment's summary paragraph ends. */
const EMPTY_COMMENT = /^\s*(?:\/\/[/!]?|\/\*\*?|\*\/?|#|--)\s*$/;
/** Doc comments this long lose all but their summary when their body is elided. */
const LONG_DOC = 8;
const SUMMARY_LINES = 4;

interface Leading {
  /** First row of the comments and decorators above a declaration. */
  first: number;
  /** The tail of a long doc comment: all but its summary and closing line. */
  trim?: Range;
}

/** The comment block directly above `row` (one blank line allowed in between). */
function leadingComments(lines: readonly string[], row: number): Leading {
  let r = row - 1;
  while (r >= 0 && DECORATOR_LINE.test(lines[r]!)) r--;
  const blockEnd = r >= 0 && lines[r]!.trim() === '' ? r - 1 : r;
  let first = blockEnd + 1;
  while (first > 0 && COMMENT_LINE.test(lines[first - 1]!)) first--;
  const leading: Leading = { first: Math.min(first, row) };
  if (blockEnd - first + 1 < LONG_DOC) return leading;
  let keep = first;
  let sawText = false;
  while (keep <= blockEnd && keep - first < SUMMARY_LINES) {
    const empty = EMPTY_COMMENT.test(lines[keep]!);
    if (empty && sawText) break;
    sawText ||= !empty;
    keep++;
  }
  const last = /^\s*\*+\/\s*$/.test(lines[blockEnd]!) ? blockEnd - 1 : blockEnd;
  if (last >= keep) leading.trim = [keep, last];
  return leading;
}

/** Weight of a unit's share of the step's evidence, of holding a line the step names, of being near an end. */
const FOCUS_LINE_WEIGHT = 10;
const EDGE_WEIGHT = 0.3;
const DOC_WEIGHT = 0.5;
/** The few units most relevant to the step are kept within this share of the budget (or a minimum). */
const MAX_PROTECTED = 3;
const PROTECTED_SHARE = 0.6;
const MIN_PROTECTED_CHARS = 2000;
/** ...when they score at least this share of the best. */
const RELATIVE_SCORE = 0.4;
/** Lines of an elided body that match the step best stay in view, this many per body. */
const PEEKS_PER_UNIT = 3;

/**
 * Which rows stay. The outline (everything outside the units) always does, and so do whole
 * units while the budget holds: the least relevant to the step go first (relevance: holding a
 * line the step names, its identifiers, its words; then nearness to the start or end). In a
 * unit that goes, the few lines holding what the step names stay as a peek.
 */
function chooseRows(units: readonly Unit[], source: string, original: readonly string[], numbers: Int32Array, ctx: CompressContext, budget: number): Uint8Array {
  const n = original.length;
  const keep = new Uint8Array(n).fill(1);
  const rowCost = (r: number) => original[r]!.length + 1;
  let used = 0;
  for (let r = 0; r < n; r++) used += rowCost(r);
  if (used - 1 <= budget) return keep; // the last row has no newline

  const focus = ctx.focus;
  // The code says more about what a unit does than its comment, whose examples and prose
  // match a task's everyday words: the comment counts half.
  const codeRel = focusRelevance(units.map((u) => source.slice(u.codeStart, u.textEnd)), focus);
  const docRel = focusRelevance(units.map((u) => source.slice(u.textStart, u.codeStart)), focus);
  const rel = codeRel.map((r, i) => r + DOC_WEIGHT * docRel[i]!);
  const score = units.map((u, i) => {
    const last = u.ranges[u.ranges.length - 1]![1];
    let named = false;
    for (let r = u.firstRow; r <= last && !named && focus.lines.length > 0; r++) named = numbers[r]! >= 0 && nearFocusLine(focus, numbers[r]!);
    const mid = (u.ranges[0]![0] + last) / 2;
    const edge = Math.max(1 - mid / n, mid / n) ** 4;
    return rel[i]! + (named ? FOCUS_LINE_WEIGHT : 0) + EDGE_WEIGHT * edge;
  });
  // The units the step is most about stay even when the outline alone fills the budget.
  const protectedUnits = new Set<number>();
  let allowance = Math.max(budget * PROTECTED_SHARE, MIN_PROTECTED_CHARS);
  const best = units.map((_, i) => i).filter((i) => rel[i]! > 0 || score[i]! >= FOCUS_LINE_WEIGHT).sort((a, b) => score[b]! - score[a]! || a - b);
  for (const i of best.slice(0, MAX_PROTECTED)) {
    if (score[i]! < score[best[0]!]! * RELATIVE_SCORE || units[i]!.cost > allowance) continue;
    protectedUnits.add(i);
    allowance -= units[i]!.cost;
  }
  // The other units go, least relevant first, until the rest fits (a row two units share counts once).
  const order = units.map((_, i) => i).filter((i) => !protectedUnits.has(i)).sort((a, b) => score[a]! - score[b]! || b - a);
  const elided: number[] = [];
  for (const i of order) {
    if (used <= budget) break;
    elided.push(i);
    for (const [s, e] of units[i]!.ranges) {
      for (let r = s; r <= e; r++) {
        if (!keep[r]) continue;
        keep[r] = 0;
        used -= rowCost(r);
      }
    }
    used += MARKER_CHARS;
  }
  // Peeks: in the units that went, the lines that best match the step (an anchor it names,
  // its rarer words) stay, a few per unit, as long as they match nearly as well as the best.
  const peekRows: number[] = [];
  const peekUnit: number[] = [];
  for (const i of elided) {
    for (const [s, e] of units[i]!.ranges) for (let r = s; r <= e; r++) if (!keep[r] && original[r]!.trim() !== '') {
      peekRows.push(r);
      peekUnit.push(i);
    }
  }
  const lineRel = focusRelevance(peekRows.map((r) => original[r]!), focus);
  let bestLine = 0;
  for (const v of lineRel) if (v > bestLine) bestLine = v;
  if (bestLine <= 0) return keep;
  // Peeks have an allowance of their own: the outline and the kept units may fill the budget.
  let allowed = budget * PEEK_SHARE;
  const perUnit = new Map<number, number>();
  const ranked = peekRows.map((r, k) => k).filter((k) => lineRel[k]! >= bestLine * PEEK_RELATIVE).sort((a, b) => lineRel[b]! - lineRel[a]! || peekRows[a]! - peekRows[b]!);
  for (const k of ranked) {
    const r = peekRows[k]!;
    const count = perUnit.get(peekUnit[k]!) ?? 0;
    if (count >= PEEKS_PER_UNIT || rowCost(r) + MARKER_CHARS > allowed) continue;
    keep[r] = 1;
    allowed -= rowCost(r) + MARKER_CHARS;
    perUnit.set(peekUnit[k]!, count + 1);
  }
  return keep;
}

/** A peek line matches the step at least this share as well as the best line does. */
const PEEK_RELATIVE = 0.5;
const PEEK_SHARE = 0.1;

/** Characters of a marker line. */
const MARKER_CHARS = 70;

/**
 * Kept rows verbatim; each run of dropped rows becomes one marker, indented like the code it
 * stands for (behind a blank number column when the input is numbered). Undefined when
 * nothing is dropped.
 */
function renderRows(original: readonly string[], lines: readonly string[], keep: Uint8Array, view: NumberedView | undefined, key: string): string | undefined {
  const out: string[] = [];
  let dropped = false;
  for (let r = 0; r < original.length; ) {
    if (keep[r]) {
      out.push(original[r++]!);
      continue;
    }
    let e = r;
    while (e + 1 < original.length && !keep[e + 1]) e++;
    const indent = /^\s*/.exec(lines.slice(r, e + 1).find((l) => l.trim() !== '') ?? '')![0];
    const column = view ? (view.prefixes[r] || view.prefixes.find((p) => p !== '') || '').replace(/[^\t]/g, ' ') : '';
    const eol = original[e]!.endsWith('\r') ? '\r' : '';
    out.push(column + indent + omitted(e - r + 1, 'line', key) + eol);
    dropped = true;
    r = e + 1;
  }
  return dropped ? out.join('\n') : undefined;
}
