import type Parser from 'tree-sitter';
import {
  detectCodeLanguage, GRAMMARS, isCodeLanguage, parserFor, stripLineNumbers, type CodeLanguage, type Grammar,
} from './code-language.js';
import { omitted } from './marker.js';
import { bm25Scores, queryTerms } from './relevance.js';
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
    const original = text.split('\n');
    // Minified or one-line text has nothing to elide line by line; a huge file would take
    // seconds to parse. Neither is worth a parse.
    const tooFewLines = original.length < MIN_ELIDED + 2 || text.length / original.length > MAX_MEAN_LINE;
    if (tooFewLines || text.length > MAX_CHARS) return text;
    const numbered = stripLineNumbers(text);
    const lines = numbered ? numbered.lines : original;
    const source = numbered ? lines.join('\n') : text;
    const units = parseUnits(source, lines, original, language);
    if (!units) return text;

    const ranges = chooseElided(units, source, text.length, queryTerms(ctx.query));
    if (ranges.length === 0) return text;
    const out: string[] = [];
    let row = 0;
    for (const [start, end] of ranges) {
      if (start < row) continue; // overlaps the previous range (a doc comment inside a body)
      for (; row < start; row++) out.push(original[row]!);
      const indent = /^\s*/.exec(lines.slice(start, end + 1).find((l) => l.trim() !== '') ?? '')![0];
      // A blank number column keeps the marker aligned with the numbered lines around it.
      const column = numbered ? numbered.prefixes[start]!.replace(/[^\t]/g, ' ') : '';
      const eol = original[end]!.endsWith('\r') ? '\r' : '';
      out.push(column + indent + omitted(end - start + 1, 'line', ctx.key) + eol);
      row = end + 1;
    }
    for (; row < original.length; row++) out.push(original[row]!);
    const result = out.join('\n');
    return result.length < text.length ? result : text;
  },
};

type Range = readonly [start: number, end: number];

/** A function body or long statement, with the long doc comment above it. */
interface Unit {
  /** Rows a marker may replace: the doc comment's tail, then the body. */
  ranges: Range[];
  /** Characters those rows hold in the input. */
  cost: number;
  /** Rows of the body among those ranges (0 when only a doc comment goes). */
  rows: number;
  /** The declaration with its comments, for relevance scoring. */
  textStart: number;
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
    return { ranges, cost, rows, textStart: lineStarts[leading.first]!, textEnd, inner: [] };
  };

  const visitChildren = (into: Unit[]): void => {
    // The walk knows each node's parent: asking the node (`node.parent`) searches down from the
    // root every time, which made deeply nested callbacks quadratic.
    const parentType = cursor.nodeType;
    if (!cursor.gotoFirstChild()) return;
    do visit(into, parentType);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };

  const visit = (into: Unit[], parentType: string): void => {
    const type = cursor.nodeType;
    if (type === 'ERROR') errorChars += cursor.endIndex - cursor.startIndex;
    if (grammar.functions.has(type)) {
      functionsSeen++;
      const node = cursor.currentNode;
      const unit = unitOf(bodyRows(node, lines), node.startPosition.row, node.endIndex);
      if (!unit) return; // a short body stays whole, nested functions included
      const callback = ARGUMENT_LISTS.has(parentType);
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

/** At most this many bodies stay, each scoring at least RELATIVE_SCORE of the best. */
const MAX_KEPT = 3;
const RELATIVE_SCORE = 0.4;
/** Kept bodies may take this share of the input, or MIN_BUDGET characters in a small file. */
const KEEP_SHARE = 0.25;
const MIN_BUDGET = 2000;

/**
 * The row ranges to elide, in order: everything but the most relevant units, best first
 * while they fit the budget. A body too big for it stays elided: it can be retrieved, and
 * keeping it would crowd out the rest of the outline.
 */
function chooseElided(units: readonly Unit[], source: string, inputLength: number, terms: readonly string[]): Range[] {
  const scores = bm25Scores(units.map((u) => source.slice(u.textStart, u.textEnd)), terms);
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  const kept = new Set<number>();
  if (max > 0) {
    const order = units.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    let budget = Math.max(inputLength * KEEP_SHARE, MIN_BUDGET);
    let bodies = 0;
    for (const i of order) {
      if (bodies >= MAX_KEPT || scores[i]! < max * RELATIVE_SCORE) break;
      const unit = units[i]!;
      if (unit.cost > budget) continue;
      kept.add(i);
      budget -= unit.cost;
      if (unit.rows > 0) bodies++; // a doc comment alone does not take a body's place
    }
  }
  return units
    .filter((_, i) => !kept.has(i))
    .flatMap((u) => u.ranges)
    .sort((a, b) => a[0] - b[0]);
}
