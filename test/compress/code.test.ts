import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeCompressor } from '../../src/compress/code.js';
import { compressContext } from '../../src/compress/compress-text.js';
import { keepShare, WHOLE_TOKENS } from '../../src/compress/budget.js';
import { countTokens } from '../../src/compress/tokens.js';
import { detectCodeLanguage, stripLineNumbers, type CodeLanguage } from '../../src/compress/code-language.js';
import { keysInText, MARKER_RE } from '../../src/compress/marker.js';

const KEY = '0f1e2d3c4b5a6978';
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const compress = (text: string, query = '', language?: string) =>
  codeCompressor.compress(text, compressContext(text, KEY, { query }, language));
/** The `cat -n` form Claude Code's Read tool returns. */
const numbered = (text: string) => text.split('\n').map((l, i) => `${String(i + 1).padStart(6)}\t${l}`).join('\n');
const markers = (text: string) => [...text.matchAll(MARKER_RE)].length;
const isMarker = (line: string) => new RegExp(MARKER_RE.source).test(line);

interface Case {
  file: string;
  language: CodeLanguage;
  /** Imports, declarations and signatures that must survive. */
  outline: string[];
  /** A query naming one function, and a line of that function's body. */
  query: string;
  bodyLine: string;
}

const CASES: Case[] = [
  {
    file: 'shlex.py',
    language: 'python',
    outline: ['from collections import deque', 'class shlex:', 'def split(s, comments=False, posix=True):', '    def read_token(self):', '    """Return a shell-escaped version of the string *s*."""'],
    query: 'how does quote escape unsafe strings?',
    bodyLine: '    if _find_unsafe(s) is None:',
  },
  {
    file: 'option.js',
    language: 'javascript',
    outline: ["const { InvalidArgumentError } = require('./error.js');", 'class Option {', '  constructor(flags, description) {', 'function splitOptionFlags(flags) {', 'exports.Option = Option;'],
    query: 'splitOptionFlags short and long flag parsing',
    bodyLine: "  const flagParts = flags.split(/[ |,]+/).concat('guard');",
  },
  {
    file: 'BytePairEncodingCore.ts',
    language: 'typescript',
    outline: ["import { escapeRegExp } from './util.js'", 'export interface BytePairEncodingConfig {', '  mergeCacheSize?: number', 'export class BytePairEncodingCore {', '  private binarySearch(key: Uint8Array): number {'],
    query: 'binarySearch over the sorted byte keys',
    bodyLine: '    let low = 0',
  },
  {
    file: 'proxy.go',
    language: 'go',
    outline: ['package main', '\t"net/http/httputil"', 'type Proxy struct {', '\tMaxIdleDuration    time.Duration', 'func (p *Proxy) closeOnIdle(sockCtx *socketContext) {'],
    query: 'closeOnIdle idle timeout shutdown',
    bodyLine: '\t\t\tlog.Println("graceful shutdown from idle timeout")',
  },
  {
    file: 'error_index_main.rs',
    language: 'rust',
    outline: ['use std::path::{Path, PathBuf};', 'enum OutputFormat {', 'impl OutputFormat {', 'fn parse_args() -> (OutputFormat, PathBuf) {', 'fn main() {'],
    query: 'parse_args command line arguments',
    bodyLine: '    let mut args = env::args().skip(1);',
  },
  {
    file: 'StringJoiner.java',
    language: 'java',
    outline: ['package java.util;', 'import jdk.internal.access.SharedSecrets;', 'public final class StringJoiner {', '    private String[] elts;', '    public StringJoiner add(CharSequence newElement) {'],
    query: 'add newElement copyOf elts',
    bodyLine: '            elts = new String[8];',
  },
  {
    file: 'parser.cc',
    language: 'cpp',
    outline: ['#include <napi.h>', 'namespace node_tree_sitter {', 'class CallbackInput final {', '  static const char * Read(void *payload, uint32_t byte, TSPoint position, uint32_t *bytes_read) {'],
    query: 'Read payload partial_string byte_offset',
    bodyLine: '    Napi::Env env = reader->callback.Env();',
  },
];

describe.each(CASES)('code compressor on $file ($language)', ({ file, language, outline, query, bodyLine }) => {
  const text = read(`fixtures/code/${file}`);

  it('detects the language, plain and with cat -n prefixes', () => {
    expect(detectCodeLanguage(text)).toBe(language);
    expect(detectCodeLanguage(numbered(text))).toBe(language);
  });

  // A read of up to ~1,500 tokens stays whole: every line of it may be what the agent acts on.
  const small = countTokens(text) <= WHOLE_TOKENS;
  /** What stays is near the size policy's share for this many tokens (the outline may add a little). */
  const shrunk = Math.min(0.99, Math.max(0.8, keepShare(countTokens(text)) + 0.2));

  it(small ? 'stays whole: a small read' : 'keeps the outline and elides bodies behind markers naming the key', () => {
    const out = compress(text);
    if (small) {
      expect(out).toBe(text);
      return;
    }
    expect(out.length).toBeLessThan(text.length * shrunk);
    for (const line of outline) expect(out.split('\n')).toContain(line);
    expect(markers(out)).toBeGreaterThan(0);
    expect(keysInText(out)).toEqual([KEY]);
  });

  it('keeps the body of the function the query names', () => {
    const out = compress(text, query);
    expect(out.split('\n')).toContain(bodyLine);
    for (const line of outline) expect(out.split('\n')).toContain(line);
    expect(out.length).toBeLessThan(small ? text.length + 1 : text.length);
  });

  it.skipIf(small)('elides the body of that function when the step is about another', () => {
    const out = compress(text, 'nothing of this file is named here zzzz qqqq');
    const named = compress(text, query);
    expect(named.split('\n')).toContain(bodyLine);
    expect(out.length).toBeLessThan(text.length * shrunk);
  });

  it('keeps cat -n lines byte for byte', () => {
    const input = numbered(text);
    const out = compress(input, query);
    const inputLines = new Set(input.split('\n'));
    for (const line of out.split('\n')) if (!isMarker(line)) expect(inputLines.has(line)).toBe(true);
    const row = text.split('\n').indexOf(bodyLine);
    expect(out).toContain(`${String(row + 1).padStart(6)}\t${bodyLine}`);
  });

  it('is deterministic and never longer than its input', () => {
    for (const q of ['', query, 'nothing matches zzzz']) {
      const a = compress(text, q, language);
      expect(compress(text, q)).toBe(a);
      expect(a.length).toBeLessThanOrEqual(text.length);
    }
  });
});

describe('p05: express request flow (real Read tool results)', () => {
  const dir = 'fixtures/workloads/p05-codebase-express-request-flow/';
  const request = JSON.parse(read(dir + 'request.json')) as { messages: { content: { tool_use_id?: string; content?: unknown }[] }[] };
  const query = read(dir + 'question.txt');
  const needles = (JSON.parse(read(dir + 'needles.json')) as { needles: { text: string; where: { tool_use_id: string } }[] }).needles;
  const reads = request.messages[2]!.content.slice(1).map((b) => ({ id: b.tool_use_id!, text: b.content as string }));

  it('keeps every needle of the three file reads and halves them overall', () => {
    expect(reads).toHaveLength(3);
    let before = 0;
    let after = 0;
    for (const { id, text } of reads) {
      expect(detectCodeLanguage(text)).toBe('javascript');
      expect(stripLineNumbers(text)).toBeDefined();
      const out = compress(text, query);
      for (const needle of needles.filter((n) => n.where.tool_use_id === id)) expect(out).toContain(needle.text);
      before += text.length;
      after += out.length;
    }
    expect(needles.filter((n) => reads.some((r) => r.id === n.where.tool_use_id))).toHaveLength(6);
    expect(after).toBeLessThan(before * 0.55);
  });

  it('shrinks the two big files by more than 40% each', () => {
    for (const { text } of reads.filter((r) => r.text.length > 10_000)) {
      expect(compress(text, query).length).toBeLessThan(text.length * 0.6);
    }
  });
});

describe('non-code inputs', () => {
  const toolResult = (workload: string, index = 0) => {
    const request = JSON.parse(read(`fixtures/workloads/${workload}/request.json`)) as {
      messages: { content: string | { type: string; content?: unknown }[] }[];
    };
    const results = request.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'tool_result')));
    const content = results[index]!.content;
    return typeof content === 'string' ? content : JSON.stringify(content);
  };
  const head = (text: string, lines: number) => text.split('\n').slice(0, lines).join('\n');

  const inputs: [string, string][] = [
    ['JSON API response', head(toolResult('p10-json-api-org-repos'), 1)],
    ['pretty-printed JSON', JSON.stringify(JSON.parse(toolResult('p10-json-api-org-repos')).slice(0, 3), null, 2)],
    ['package.json', read('node_modules/commander/package.json')],
    ['postgres log', head(toolResult('p02-sre-postgres-deadlock-crash'), 300)],
    ['nginx error log', head(toolResult('p03-sre-nginx-upstream-502', 0), 300)],
    ['nginx access log', head(toolResult('p03-sre-nginx-upstream-502', 1), 300)],
    ['ripgrep output', toolResult('p01-code-search-fastify-onsend')],
    ['English prose', read('fixtures/workloads/README.md')],
    ['a task description', read('fixtures/workloads/p05-codebase-express-request-flow/question.txt')],
    ['a GitHub issue body', (JSON.parse(toolResult('p04-issue-triage-rails-admin')) as { body: string | null }[]).map((i) => i.body ?? '').join('\n\n')],
  ];

  it.each(inputs)('%s is not detected as code and passes through', (_name, text) => {
    expect(text.length).toBeGreaterThan(50);
    expect(detectCodeLanguage(text)).toBeUndefined();
    expect(compress(text)).toBe(text);
  });

  it('returns unparseable text unchanged even when told a language', () => {
    const garbage = '{{{ ]] )) (( <<>> @@@ ###\n'.repeat(100);
    for (const language of ['python', 'javascript', 'typescript', 'go', 'rust', 'java', 'cpp']) {
      expect(compress(garbage, '', language)).toBe(garbage);
    }
  });
});

describe('robustness', () => {
  it('parses a file over 64 KB and compresses it', () => {
    const text = read('node_modules/commander/lib/command.js');
    expect(text.length).toBeGreaterThan(64 * 1024);
    const out = compress(text, 'parseOptions unknown option');
    expect(out.length).toBeLessThan(text.length * 0.6);
    expect(out).toContain('class Command extends EventEmitter {');
    expect(out).toContain('  parseOptions(args) {');
    // Functions near the end of the file are seen too.
    expect(out).toContain('function incrementNodeInspectorPort(args) {');
    expect(markers(out)).toBeGreaterThan(20);
    const cat = numbered(text);
    expect(compress(cat, 'parseOptions').length).toBeLessThan(cat.length * 0.6);
  });

  it('does not throw on truncated or broken source', () => {
    const text = read('fixtures/code/option.js');
    for (const cut of [0.13, 0.5, 0.77]) {
      const part = text.slice(0, Math.floor(text.length * cut));
      const out = compress(part, 'flags', 'javascript');
      expect(out.length).toBeLessThanOrEqual(part.length);
    }
    const broken = text.replace(/\{/g, '(');
    expect(() => compress(broken, '', 'javascript')).not.toThrow();
  });

  it('keeps a file window that starts mid-function (Read with an offset)', () => {
    const text = numbered(read('fixtures/code/option.js')).split('\n').slice(40).join('\n');
    expect(stripLineNumbers(text)).toBeDefined();
    expect(countTokens(text)).toBeGreaterThan(WHOLE_TOKENS);
    const out = compress(text, '', 'javascript');
    expect(out.length).toBeLessThan(text.length);
    expect(out).toContain('    47\t  default(value, description) {');
  });

  it('keeps short bodies and leaves unknown languages alone', () => {
    const small = "import os\n\ndef f(x):\n    return x + 1\n\ndef g(y):\n    return y * 2\n";
    expect(compress(small, '', 'python')).toBe(small);
    expect(compress('plain words only\n', '', 'cobol')).toBe('plain words only\n');
  });

  it('keeps CRLF line endings on marker lines', () => {
    const text = read('fixtures/code/option.js').replace(/\n/g, '\r\n');
    const out = compress(text);
    expect(markers(out)).toBeGreaterThan(0);
    expect(out.split('\n').slice(0, -1).every((l) => l.endsWith('\r'))).toBe(true);
  });
});
