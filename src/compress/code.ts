import { createRequire } from 'node:module';
import Parser from 'tree-sitter';
import { detectCodeLanguage, isCodeLanguage, stripLineNumbers, type CodeLanguage } from './code-language.js';
import { omitted } from './marker.js';
import { bm25Scores, queryTerms } from './relevance.js';
import type { CompressContext, Compressor } from './types.js';

/**
 * Source files: keep the outline (imports, declarations, signatures, doc comments, short
 * top-level statements) and replace function bodies with one marker line each, except the
 * bodies most relevant to the query. Works line by line on the original text, so kept
 * lines (and `cat -n` prefixes) survive byte for byte.
 */
export const codeCompressor: Compressor = {
  kind: 'code',
  compress(text: string, ctx: CompressContext): string {
    const language = isCodeLanguage(ctx.language) ? ctx.language : detectCodeLanguage(text);
    if (!language) return text;
    const numbered = stripLineNumbers(text);
    const lines = numbered ? numbered.lines : text.split('\n');
    const source = numbered ? lines.join('\n') : text;
    const outline = parseOutline(source, lines, language);
    if (!outline) return text;

    const elided = chooseElided(outline.units, source, queryTerms(ctx.query));
    if (elided.length === 0) return text;
    const original = numbered ? text.split('\n') : lines;
    const ranges = elided.flatMap((u) => (u.doc ? [u.doc, [u.start, u.end] as const] : [[u.start, u.end] as const]));
    const out: string[] = [];
    let row = 0;
    for (const [start, end] of ranges) {
      if (start < row) continue;
      for (; row < start; row++) out.push(original[row]!);
      const indent = /^\s*/.exec(lines.slice(start, end + 1).find((l) => l.trim() !== '') ?? '')![0];
      // A blank number column keeps the marker aligned with the numbered lines around it.
      const column = numbered ? numbered.prefixes[start]!.replace(/[^\t]/g, ' ') : '';
      out.push(column + indent + omitted(end - start + 1, 'line', ctx.key));
      row = end + 1;
    }
    for (; row < original.length; row++) out.push(original[row]!);
    const result = out.join('\n');
    return result.length < text.length ? result : text;
  },
};

/** A run of source rows [start, end] that may be replaced by a marker. */
interface Unit {
  start: number;
  end: number;
  /** The whole function or statement with the comments above it, for relevance scoring. */
  textStart: number;
  textEnd: number;
  /** Characters the marker replaces. */
  cost: number;
  /** Rows of the doc comment above, elided along with the body. */
  doc?: [number, number];
  /** Elidable units nested inside (collected only for wrapper-sized functions). */
  inner: Unit[];
}

interface GrammarSpec {
  module: string;
  exportName?: string;
  functions: ReadonlySet<string>;
  /** Statements that are data or script code rather than outline when they grow long. */
  data: ReadonlySet<string>;
}

const JS_FUNCTIONS = [
  'function_declaration', 'generator_function_declaration', 'function_expression', 'function',
  'generator_function', 'arrow_function', 'method_definition',
];
const JS_DATA = [
  'expression_statement', 'lexical_declaration', 'variable_declaration', 'if_statement', 'for_statement',
  'for_in_statement', 'while_statement', 'try_statement',
];

const SPECS: Record<CodeLanguage, GrammarSpec> = {
  python: {
    module: 'tree-sitter-python',
    functions: new Set(['function_definition']),
    data: new Set(['expression_statement', 'if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement']),
  },
  javascript: { module: 'tree-sitter-javascript', functions: new Set(JS_FUNCTIONS), data: new Set(JS_DATA) },
  typescript: { module: 'tree-sitter-typescript', exportName: 'typescript', functions: new Set(JS_FUNCTIONS), data: new Set(JS_DATA) },
  go: {
    module: 'tree-sitter-go',
    functions: new Set(['function_declaration', 'method_declaration', 'func_literal']),
    data: new Set(['var_declaration']),
  },
  rust: {
    module: 'tree-sitter-rust',
    functions: new Set(['function_item', 'closure_expression']),
    data: new Set(['const_item', 'static_item', 'expression_statement']),
  },
  java: {
    module: 'tree-sitter-java',
    functions: new Set(['method_declaration', 'constructor_declaration', 'compact_constructor_declaration', 'lambda_expression']),
    data: new Set(['field_declaration']),
  },
  cpp: {
    module: 'tree-sitter-cpp',
    functions: new Set(['function_definition', 'lambda_expression']),
    data: new Set(['declaration']),
  },
};

/** Bodies up to this many inner lines stay: a marker would not save anything. */
const MIN_ELIDED = 4;
/** Statements outside functions longer than this are elided like bodies. */
const LONG_STATEMENT = 15;
/** A function whose body spans this share of the file is a wrapper (IIFE, UMD, describe). */
const WRAPPER_SHARE = 0.5;
/** Give up (return the input) when syntax errors cover this share of the text. */
const MAX_ERROR_SHARE = 0.3;

// Grammars load on first use; one parser per language, reused across calls.
const require = createRequire(import.meta.url);
const parsers = new Map<string, Parser>();

function parserFor(language: CodeLanguage, variant?: string): Parser {
  const spec = SPECS[language];
  const name = variant ?? spec.exportName;
  const id = `${language}:${name ?? ''}`;
  let parser = parsers.get(id);
  if (!parser) {
    const loaded = require(spec.module) as Record<string, unknown>;
    parser = new Parser();
    parser.setLanguage((name ? loaded[name] : loaded) as Parser.Language);
    parsers.set(id, parser);
  }
  return parser;
}

interface Outline {
  units: Unit[];
  errorChars: number;
}

function parseOutline(source: string, lines: readonly string[], language: CodeLanguage): Outline | undefined {
  let best: Outline | undefined;
  // TypeScript files may hold JSX; the tsx grammar is the fallback when plain TS stumbles.
  for (const variant of language === 'typescript' ? [undefined, 'tsx'] : [undefined]) {
    let tree: Parser.Tree;
    try {
      // A callback input: the binding copies chunks instead of one huge string.
      tree = parserFor(language, variant).parse((index) => source.slice(index, index + 8192));
    } catch {
      return undefined;
    }
    const outline = collectOutline(tree, lines, SPECS[language]);
    if (!best || outline.errorChars < best.errorChars) best = outline;
    if (!tree.rootNode.hasError) break;
  }
  if (!best || best.errorChars > source.length * MAX_ERROR_SHARE) return undefined;
  return best;
}

function collectOutline(tree: Parser.Tree, lines: readonly string[], spec: GrammarSpec): Outline {
  const outline: Outline = { units: [], errorChars: 0 };
  const cursor = tree.walk();
  const totalRows = lines.length;
  let functionsSeen = 0;
  const lineStarts = new Array<number>(totalRows + 1);
  lineStarts[0] = 0;
  for (let i = 0; i < totalRows; i++) lineStarts[i + 1] = lineStarts[i]! + lines[i]!.length + 1;
  const unitOf = (start: number, end: number, row: number, textEnd: number): Unit => {
    const leading = leadingComments(lines, row);
    return {
      start,
      end,
      textStart: lineStarts[leading.first]!,
      textEnd,
      cost: lineStarts[end + 1]! - lineStarts[start]!,
      doc: leading.trim,
      inner: [],
    };
  };

  const visitChildren = (into: Unit[]): void => {
    if (!cursor.gotoFirstChild()) return;
    do visit(into);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };

  const visit = (into: Unit[]): void => {
    const type = cursor.nodeType;
    if (type === 'ERROR') outline.errorChars += cursor.endIndex - cursor.startIndex;
    if (spec.functions.has(type)) {
      functionsSeen++;
      const node = cursor.currentNode;
      const rows = elidableRows(node, lines);
      if (!rows) return; // short body: kept whole, nested functions included
      const unit = unitOf(rows[0], rows[1], node.startPosition.row, node.endIndex);
      if (unit.end - unit.start + 1 >= totalRows * WRAPPER_SHARE) visitChildren(unit.inner);
      into.push(unit);
      return;
    }
    const rows = cursor.endPosition.row - cursor.startPosition.row + 1;
    if (spec.data.has(type) && rows >= LONG_STATEMENT && cursor.currentNode.firstNamedChild?.type !== 'string') {
      const unit = unitOf(cursor.startPosition.row + 1, cursor.endPosition.row - 1, cursor.startPosition.row, cursor.endIndex);
      const before = functionsSeen;
      visitChildren(unit.inner);
      // Statements holding functions (export objects, IIFEs) are outline: only bodies go.
      if (functionsSeen > before) into.push(...unit.inner);
      else into.push(unit);
      return;
    }
    visitChildren(into);
  };

  visitChildren(outline.units);
  outline.units = unwrap(outline.units);
  return outline;
}

/** A wrapper function with several functions inside is not a unit itself: its parts are. */
function unwrap(units: Unit[]): Unit[] {
  return units.flatMap((u) => (u.inner.length >= 2 ? unwrap(u.inner) : [u]));
}

/** The rows of a function body that a marker may replace, or undefined if too short. */
function elidableRows(node: Parser.SyntaxNode, lines: readonly string[]): [number, number] | undefined {
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  let start = body.startPosition.row + 1;
  let end = body.endPosition.row - 1;
  if (node.type === 'function_definition' && body.type === 'block') {
    // Python: the body has no braces; keep the signature and the docstring.
    const header = node.childForFieldName('return_type') ?? node.childForFieldName('parameters');
    const statements = body.namedChildren.filter((c) => c.type !== 'comment');
    const first = statements[0];
    const last = statements[statements.length - 1];
    if (!header || !first || !last) return undefined;
    const isDocstring = first.type === 'expression_statement' && first.firstNamedChild?.type === 'string';
    start = Math.max(header.endPosition.row, isDocstring ? first.endPosition.row : -1) + 1;
    end = last.endPosition.row;
  }
  while (end >= start && lines[end]!.trim() === '') end--;
  if (end - start + 1 < MIN_ELIDED) return undefined;
  return [start, end];
}

/** Comment, decorator or attribute lines that belong to the declaration below them. */
const LEADING_LINE = /^\s*(?:\/\/|\/\*|\*|#(?:\s|$|\[)|@\w|--)/;
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*|#(?:\s|$)|--)/;
/** A comment line with no words: the end of a doc comment's summary paragraph. */
const EMPTY_COMMENT = /^\s*(?:\/\/\/?!?|\/\*\*?|\*\/?|#|--)\s*$/;
const DOC_TRIM_MIN = 8;
const SUMMARY_MAX = 4;

interface Leading {
  /** First row of the comments and decorators above a declaration. */
  first: number;
  /** Rows of a long doc comment to elide with the body: all but its summary and closer. */
  trim?: [number, number];
}

/** The comment block directly above `row` (one blank line allowed in between). */
function leadingComments(lines: readonly string[], row: number): Leading {
  let r = row - 1;
  while (r >= 0 && LEADING_LINE.test(lines[r]!) && !COMMENT_LINE.test(lines[r]!)) r--; // decorators
  const blockEnd = r >= 0 && lines[r]!.trim() === '' ? r - 1 : r;
  let first = blockEnd + 1;
  while (first > 0 && COMMENT_LINE.test(lines[first - 1]!)) first--;
  const leading: Leading = { first: Math.min(first, row) };
  if (blockEnd - first + 1 < DOC_TRIM_MIN) return leading;
  // Keep the summary: up to the first empty comment line after some text, at most a few lines.
  let keep = first;
  let sawText = false;
  while (keep <= blockEnd && keep - first < SUMMARY_MAX) {
    const empty = EMPTY_COMMENT.test(lines[keep]!);
    if (empty && sawText) break;
    sawText ||= !empty;
    keep++;
  }
  const closer = /^\s*\*\/\s*$/.test(lines[blockEnd]!) ? blockEnd - 1 : blockEnd;
  if (closer - keep + 1 >= MIN_ELIDED) leading.trim = [keep, closer];
  return leading;
}

const MAX_KEPT = Number(process.env.HR_MAXK ?? 5);
const KEEP_SHARE = 0.25;
const RELATIVE_SCORE = Number(process.env.HR_REL ?? 0.5);

/**
 * Which units to elide: all but the bodies most relevant to the query. The best match is
 * always kept; others scoring at least half of it follow while they fit a quarter of the
 * input. Returns the elided units in row order.
 */
function chooseElided(units: readonly Unit[], source: string, terms: readonly string[]): Unit[] {
  const scores = bm25Scores(units.map((u) => source.slice(u.textStart, u.textEnd)), terms);
  if (process.env.HR_DEBUG) units.forEach((u, i) => console.log(scores[i]!.toFixed(2), u.textEnd - u.textStart, JSON.stringify(source.slice(u.textStart, u.textStart + 60))));
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  const kept = new Set<number>();
  if (max > 0) {
    const order = units.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
    let budget = source.length * KEEP_SHARE;
    for (const i of order) {
      if (kept.size >= MAX_KEPT || scores[i]! < max * RELATIVE_SCORE) break;
      const u = units[i]!;
      if (kept.size > 0 && u.cost > budget) continue;
      kept.add(i);
      budget -= u.cost;
    }
  }
  return units.filter((_, i) => !kept.has(i)).sort((a, b) => a.start - b.start);
}
