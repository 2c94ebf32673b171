import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import { numberedView } from './numbered-view.js';

/**
 * Cheap source-language detection for tool outputs, from line-anchored keyword patterns
 * over the first lines. Conservative on purpose: handing prose or a log to the code
 * compressor costs more than missing a file, so a language needs several distinct
 * signal lines and the text must not look like a log, a diff, JSON or Markdown.
 */
const CODE_LANGUAGES = ['python', 'javascript', 'typescript', 'go', 'rust', 'java', 'cpp'] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

export function isCodeLanguage(value: string | undefined): value is CodeLanguage {
  return value !== undefined && (CODE_LANGUAGES as readonly string[]).includes(value);
}

/** `cat -n` / Claude Code Read prefix: right-aligned line number, then a TAB. */
const LINE_NUMBER_RE = /^\s*\d+\t/;

export interface NumberedLines {
  /** The lines without their prefixes. */
  lines: string[];
  /** The prefix of each line ('' for an empty line). */
  prefixes: string[];
}

/** Splits off `cat -n` prefixes; undefined unless every non-empty line carries one. */
export function stripLineNumbers(text: string): NumberedLines | undefined {
  const raw = text.split('\n');
  const lines: string[] = [];
  const prefixes: string[] = [];
  let numbered = 0;
  for (const line of raw) {
    const m = LINE_NUMBER_RE.exec(line);
    if (m) {
      prefixes.push(m[0]);
      lines.push(line.slice(m[0].length));
      numbered++;
    } else if (line.trim() === '') {
      prefixes.push('');
      lines.push(line);
    } else {
      return undefined;
    }
  }
  return numbered > 0 ? { lines, prefixes } : undefined;
}

/** A regular expression, or a function where one would take quadratic time on a long line. */
type LineTest = { test(line: string): boolean };
type Signals = readonly (readonly [LineTest, number])[];

// Weight 3: a line that is close to proof (a declaration or import); 1: a supporting hint.
const SIGNALS: Record<CodeLanguage, Signals> = {
  python: [
    [/^\s*(?:async\s+)?def\s+\w+\s*\(.*(?:\)\s*(?:->\s*[^:]+)?:\s*(?:#.*)?|[(,])$/, 3],
    [/^\s*class\s+\w+\s*(?:\([^)]*\))?\s*:\s*(?:#.*)?$/, 3],
    [/^from\s+\.*[\w.]*\s+import\s+(?:\(|\*|\w+(?:\s+as\s+\w+)?(?:\s*,\s*\w+(?:\s+as\s+\w+)?)*\s*(?:#.*)?$)/, 3],
    [/^import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*\s*(?:#.*)?$/, 3],
    [/^if\s+__name__\s*==\s*['"]__main__['"]\s*:/, 3],
    [/^\s*(?:elif\s.*|else|try|finally|except(?:\s+[\w.,\s()]+(?:\s+as\s+\w+)?)?)\s*:\s*(?:#.*)?$/, 1],
    [/^\s*(?:if|for|while|with)\s[^{;]*:\s*(?:#.*)?$/, 1],
    [/^\s*@[\w.]+(?:\(.*\))?\s*$/, 1],
    [/\bself\.\w+/, 1],
    [/^\s*(?:"""|''')/, 1],
  ],
  javascript: [
    [/\brequire\(\s*['"][^'"]+['"]\s*\)/, 3],
    [/^\s*import\s+(?:[\w*{}\s,$]+\s+from\s+)?['"][^'"]+['"];?\s*$/, 3],
    [/^\s*export\s+(?:default\s+)?(?:async\s+)?(?:function|class|const|let|var)\b/, 3],
    [/^\s*(?:async\s+)?function\s*\*?\s*[\w$]*\s*\([^)]*\)?\s*\{?\s*$/, 3],
    [/^\s*(?:module\.)?exports(?:\.[\w$]+)*\s*=/, 3],
    [/^\s*[\w$.]+\.prototype\.[\w$]+\s*=\s*function\b/, 3],
    [/^\s*(?:const|let|var)\s+[\w${}[\],\s]+=\s*.*[;,{(]?\s*$/, 1],
    [/=>\s*[{(]?\s*$/, 1],
    [/^\s*['"]use strict['"];?\s*$/, 1],
    [/^\s*class\s+[\w$]+(?:\s+extends\s+[\w$.]+)?\s*\{\s*$/, 3],
    [/^\s+constructor\s*\([^)]*\)\s*\{\s*$/, 3],
    [/^\s+(?:static\s+|async\s+|get\s+|set\s+)*[\w$]+\s*\([\w$,\s={}[\].]*\)\s*\{\s*$/, 1],
    [/^\s*\*\s*@(?:param|returns?|type|typedef|property)\s+\{/, 1],
    [/\b(?:console\.log|this\.[\w$]+\s*=|typeof\s+\w+\s*[!=]==)/, 1],
  ],
  // Only what sets TypeScript apart; JavaScript signals count for it too.
  typescript: [
    [/^\s*(?:export\s+)?(?:declare\s+)?interface\s+\w+(?:<[^>]*>)?\s*(?:extends\s+[^{]+)?\{\s*$/, 3],
    [/^\s*(?:export\s+)?(?:declare\s+)?type\s+\w+(?:<[^>]*>)?\s*=/, 3],
    [/^\s*(?:export\s+)?(?:declare\s+)?(?:const\s+)?enum\s+\w+\s*\{/, 3],
    [/^\s*import\s+type\s|^\s*import\s*\{[^}]*\btype\s+\w+/, 3],
    [/\(\s*\w+\??\s*:\s*[A-Z][\w.]*(?:<[^>]*>|\[\])?\s*(?:,[^)]*)?\)\s*(?::\s*[^=]+)?=>/, 3],
    [/^\s*(?:export\s+)?(?:declare\s+)?(?:async\s+)?function\s*\w*\s*(?:<[^>]*>)?\([^)]*\w\??:\s*[\w<[{]/, 3],
    [/^\s*(?:export\s+)?declare\s+(?:const|let|var|function|class|module|namespace|global)\b/, 3],
    [/^\s*(?:export\s+)?(?:const|let)\s+\w+\s*:\s*[\w<[{]/, 1],
    [/^\s*(?:private|public|protected|readonly)\s+(?:readonly\s+)?\w+\s*[:?(]/, 1],
    [/\)\s*:\s*(?:Promise<|void\b|string\b|number\b|boolean\b)/, 1],
    [/\bas\s+(?:const|unknown|string|number|any|readonly\s)\b|\bsatisfies\s+[A-Z]/, 1],
  ],
  go: [
    [/^package\s+\w+\s*$/, 3],
    [/^func\s+(?:\([^)]*\)\s*)?\w+\s*(?:\[[^\]]*\])?\(/, 3],
    [/^import\s+(?:\(\s*$|\w*\s*"[\w./-]+"\s*$)/, 3],
    [/^type\s+\w+\s+(?:struct|interface)\s*\{/, 3],
    [/\bif\s+err\s*!=\s*nil\b/, 1],
    [/^\s*\w+(?:\s*,\s*\w+)*\s*:=/, 1],
    [/^\s*"[\w./-]+"\s*$/, 1],
    [/\bfmt\.\w+\(/, 1],
  ],
  rust: [
    [/^\s*(?:pub(?:\([\w:\s]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"C"\s+)?fn\s+\w+\s*[<(]/, 3],
    [/^\s*(?:pub(?:\([\w:\s]+\))?\s+)?use\s+(?:(?:\w+::)+(?:\w+|\*|\{[^}]*\}?)(?:\s+as\s+\w+)?;?|\w+;)\s*$/, 3],
    [/^\s*impl(?:<[^>]*>)?\s+[\w:<>, ]+(?:\s+for\s+[\w:<>, ]+)?\s*\{\s*$/, 3],
    [/^\s*(?:pub(?:\([\w:\s]+\))?\s+)?(?:struct|enum|trait|mod)\s+\w+(?:<[^>]*>)?\s*[{;(]/, 3],
    [/^\s*#!?\[(?:derive|cfg|test|allow|feature|inline)\b/, 3],
    [/^\s*extern\s+crate\s+\w+;/, 3],
    [/\blet\s+(?:mut\s+)?\w+(?:\s*:\s*[^=]+)?\s*=/, 1],
    // A macro call (`println!(`): one word character before `!(` is enough to know.
    [/\b(?:Some|Ok|Err)\(|\bSelf\b|&mut\s|\w!\(/, 1],
    [/^\s*match\s+.+\{\s*$/, 1],
  ],
  java: [
    [/^package\s+[\w.]+;\s*$/, 3],
    [/^import\s+(?:static\s+)?[\w.]+(?:\.\*)?;\s*$/, 3],
    [/^\s*(?:(?:public|private|protected|abstract|final|static|sealed)\s+)+(?:class|interface|enum|record|@interface)\s+\w+/, 3],
    [/^\s*(?:public|private|protected)\s+(?:(?:static|final|abstract|synchronized|native|default)\s+)*[\w<>[\],.?\s]+\s+\w+\s*\([^)]*\)?\s*(?:throws\s+[\w.,\s]+)?\{?\s*$/, 3],
    // A constructor: no return type, the class's name.
    [/^\s*(?:public|private|protected)\s+[A-Z]\w*\s*\([^()]*\)?\s*(?:throws\s+[\w.,\s]+)?\{?\s*$/, 3],
    [/^\s*@(?:Override|Deprecated|SuppressWarnings|FunctionalInterface|Test)\b/, 1],
    [{ test: javaHint }, 1],
  ],
  cpp: [
    [/^\s*#\s*include\s*[<"][\w./+-]+[>"]/, 3],
    [/^\s*#\s*(?:define\s+\w+|ifndef\s+\w+|ifdef\s+\w+|endif\b|pragma\s+once\b|if\s+defined)/, 3],
    [/^\s*template\s*<.*>/, 3],
    [/^\s*namespace\s+[\w:]+\s*\{/, 3],
    [/^\s*using\s+namespace\s+[\w:]+;/, 3],
    [/^\s*(?:public|private|protected):\s*$/, 1],
    [/\bstd::\w+|\bnullptr\b|\bconst\s+\w+\s*[&*]/, 1],
    [/^\s*(?:static\s+|inline\s+|virtual\s+|const\s+)*[\w:<>*&]+\s+[*&]?[\w:~]+\s*\([^;]*\)\s*(?:const\s*)?\{?\s*$/, 1],
  ],
};

const JAVA_HINT_RE = /\bSystem\.(?:out|err)\.|\bnew\s+\w+\(|\bfinal\s+\w+/;
const JAVA_NEW_GENERIC_RE = /\bnew\s+\w+</g;

/**
 * `System.out.`, `new Foo(`, `new Foo<Bar>(` or `final x`. The `>` that closes a `new`'s type
 * arguments is the first one after its `<`, found once for all the `new`s before it (a pattern
 * with `<[^>]*>` scanned to the end of the line for every unclosed `new Foo<`).
 */
export function javaHint(line: string): boolean {
  if (JAVA_HINT_RE.test(line)) return true;
  let close = -1;
  for (const m of line.matchAll(JAVA_NEW_GENERIC_RE)) {
    const from = m.index + m[0].length;
    if (close < from) close = line.indexOf('>', from);
    if (close < 0) return false;
    if (line[close + 1] === '(') return true;
  }
  return false;
}

const NOT_CODE: readonly RegExp[] = [
  /^\s*```/, // Markdown fence: the text is a document about code
  /^diff --git |^@@ -\d+(?:,\d+)? \+\d+/,
];

/** ripgrep/grep output: `path:line:` or `path-line-` in front of each line. */
const SEARCH_LINE = /^[^\s:]+[:-]\d+[:-]/;

/** Log, stack-trace and test-runner lines (pytest quotes source lines between them). */
const LOG_LINE = new RegExp(
  [
    /^\s*(?:\[?\d{4}[-/]\d{2}[-/]\d{2}[T\s]\d{2}:\d{2}|\[?\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2})/.source,
    /^\s*\[?(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL|TRACE)\b|\b(?:PASSED|FAILED|XFAIL)\b/.source,
    /^\s+at\s+\S+.*:\d+(?::\d+)?\)?$|^\s*File ".*", line \d+|^(?:E|>)\s{3,}|^[=_-]{3,} .* [=_-]{3,}$/.source,
    /^\s*(?:✓|✔|✗|✖|×|ok \d|not ok \d|--- (?:FAIL|PASS):)/.source,
  ].join('|'),
);

const COMMENT_START = /^\s*(?:\/\/|\/\*|\*|#|--|;)/;
const WORD = /^\(?[A-Za-z][a-z'’-]*[,.;:!?)]?$/;

/** A sentence outside any comment: mostly plain words, not ending like a statement. */
function isProse(line: string): boolean {
  if (COMMENT_START.test(line) || /[{;]\s*$/.test(line)) return false;
  const tokens = line.trim().split(/\s+/);
  if (tokens.length < 6) return false;
  let words = 0;
  for (const t of tokens) if (WORD.test(t)) words++;
  return words / tokens.length >= 0.7;
}

const SAMPLE_LINES = 200;
const SAMPLE_CHARS = 40_000;

export function detectCodeLanguage(text: string): CodeLanguage | undefined {
  // Whole lines only: a cut through a `cat -n` prefix would hide the numbering.
  const head = text.length > SAMPLE_CHARS ? text.slice(0, Math.max(0, text.lastIndexOf('\n', SAMPLE_CHARS))) : text;
  const numbered = numberedView(head);
  const all = numbered ? numbered.lines : head.split('\n');
  const trimmed = all.join('\n').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('<')) return undefined;
  const lines = all.slice(0, SAMPLE_LINES).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;

  let logLines = 0;
  let searchLines = 0;
  let proseLines = 0;
  let inDocstring = false;
  for (const line of lines) {
    if (NOT_CODE.some((re) => re.test(line))) return undefined;
    if (LOG_LINE.test(line)) logLines++;
    if (SEARCH_LINE.test(line)) searchLines++;
    // Docstrings are prose inside code; lines between triple quotes do not count.
    const quotes = (line.match(/"""|'''/g) ?? []).length;
    if (!inDocstring && isProse(line)) proseLines++;
    if (quotes % 2 === 1) inDocstring = !inDocstring;
  }
  const n = lines.length;
  if (logLines / n >= 0.15 || searchLines / n >= 0.3 || proseLines / n >= 0.3) return undefined;

  const score = {} as Record<CodeLanguage, number>;
  const strong = {} as Record<CodeLanguage, number>;
  for (const lang of CODE_LANGUAGES) {
    score[lang] = 0;
    strong[lang] = 0;
    for (const line of lines) {
      let best = 0;
      for (const [re, weight] of SIGNALS[lang]) if (weight > best && re.test(line)) best = weight;
      score[lang] += best;
      if (best === 3) strong[lang]++;
    }
  }
  // TypeScript signals are only what sets it apart: the JavaScript family competes as one.
  const tsOwn = score.typescript;
  score.javascript += tsOwn;
  strong.javascript += strong.typescript;

  let winner: CodeLanguage | undefined;
  for (const lang of CODE_LANGUAGES) {
    if (lang === 'typescript') continue;
    if (!winner || score[lang] > score[winner]) winner = lang;
  }
  if (!winner) return undefined;
  // Several distinct declaration/import lines, and not a stray minority of the text.
  const minStrong = lines.length < 8 ? 1 : 2;
  if (strong[winner] < minStrong || score[winner] < Math.min(6, lines.length * 0.1 + 2)) return undefined;
  if (winner === 'javascript' && tsOwn >= 3) return 'typescript';
  return winner;
}

/** What the code compressor needs to know of a tree-sitter grammar. */
export interface Grammar {
  module: string;
  exportName?: string;
  /** Node types whose `body` field is a function body. */
  functions: ReadonlySet<string>;
  /** Statements that are data or script code rather than outline when they grow long. */
  data: ReadonlySet<string>;
}

const JS_FUNCTIONS = new Set([
  'function_declaration', 'generator_function_declaration', 'function_expression', 'function',
  'generator_function', 'arrow_function', 'method_definition',
]);
const JS_DATA = new Set([
  'expression_statement', 'lexical_declaration', 'variable_declaration', 'if_statement', 'for_statement',
  'for_in_statement', 'while_statement', 'try_statement',
]);

export const GRAMMARS: Record<CodeLanguage, Grammar> = {
  python: {
    module: 'tree-sitter-python',
    functions: new Set(['function_definition']),
    data: new Set(['expression_statement', 'if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement']),
  },
  javascript: { module: 'tree-sitter-javascript', functions: JS_FUNCTIONS, data: JS_DATA },
  typescript: { module: 'tree-sitter-typescript', exportName: 'typescript', functions: JS_FUNCTIONS, data: JS_DATA },
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

// Native grammars load on first use (detection alone never loads them); one parser per
// grammar, reused across calls.
const require = createRequire(import.meta.url);
const parsers = new Map<string, Parser>();

/** The cached parser of a language; `variant` picks another export (tsx). */
export function parserFor(language: CodeLanguage, variant?: string): Parser {
  const grammar = GRAMMARS[language];
  const name = variant ?? grammar.exportName;
  const id = `${language}:${name ?? ''}`;
  let parser = parsers.get(id);
  if (!parser) {
    const ParserClass = require('tree-sitter') as typeof Parser;
    const loaded = require(grammar.module) as Record<string, unknown>;
    parser = new ParserClass();
    parser.setLanguage((name ? loaded[name] : loaded) as Parser.Language);
    parsers.set(id, parser);
  }
  return parser;
}
