// The worst inputs we could construct for each compressor and for the work around them
// (detection, markers, relevance, token counting). Used by scripts/bench-worst.mjs.
//
// Each case: `gen(count)` builds the input for a size parameter (items, lines, depth, chars), as
// a string or as `{ text, query }`;
// `run` says what is timed: 'compress' (the kind's compressor, detection skipped), 'detect',
// 'markers' (the check for headroom's own markers, run on every output), 'relevance' (query
// terms and BM25 over lines) or 'tokens'. `maxBytes` caps the input at the largest size.

const QUERY = 'why does the request to package-42 fail with a timeout error in handler.js?';

/** A word made of letters only, different for every i (no digits: templates stay apart). */
function word(i) {
  let s = '';
  do {
    s += String.fromCharCode(97 + (i % 26));
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

const lines = (n, line) => Array.from({ length: n }, (_, i) => line(i)).join('\n');

const json = [
  { name: 'json: n items (distinct names)', gen: (n) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `package-${i}`, version: `1.${i % 50}.${i % 7}`, ok: true })), null, 1) },
  { name: 'json: n items, each its own key', gen: (n) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ [`k${i}`]: i, state: i % 9 ? 'ok' : 'failed' }))) },
  { name: 'json: one object, n keys', gen: (n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, `value ${i}`]))) },
  { name: 'json: n arrays of 3 items', gen: (n) => JSON.stringify(Array.from({ length: n }, (_, i) => [{ id: i, tag: 'same-everywhere' }, { id: i + 1 }, { id: i + 2 }])) },
  {
    name: 'json: 190 nested arrays, n items at each level',
    gen: (n) => {
      let v = [];
      for (let d = 0; d < 190; d++) v = [...Array.from({ length: Math.ceil(n / 190) }, (_, i) => ({ d, i })), v];
      return JSON.stringify(v);
    },
  },
  { name: 'json: one huge string', gen: (n) => JSON.stringify({ log: 'x'.repeat(n), ok: true }) },
].map((c) => ({ ...c, run: 'compress', kind: 'json' }));

const search = [
  { name: 'search: n hits, one file', gen: (n) => lines(n, (i) => `src/handler.js:${i + 1}:  const value${i} = compute(request, ${i});`) },
  { name: 'search: n hits, n files', gen: (n) => lines(n, (i) => `src/dir${i % 97}/file-${i}.js:${i % 400}:export function handler${i}(req) {`) },
  { name: 'search: one huge line', gen: (n) => `src/a.js:1:${'x'.repeat(n)}\n` + lines(20, (i) => `src/b.js:${i}:const b${i} = 1;`) },
].map((c) => ({ ...c, run: 'compress', kind: 'search' }));

const log = [
  { name: 'log: n lines', gen: (n) => lines(n, (i) => `2024-05-01T12:${String(i % 60).padStart(2, '0')}:00Z INFO request ${i} served in ${i % 97} ms`) },
  { name: 'log: n distinct templates', gen: (n) => lines(n, (i) => `INFO worker ${word(i)} finished step ${word(i * 7 + 3)}`) },
  {
    name: 'log: n errors with stack traces',
    gen: (n) => lines(n, (i) => (i % 4 === 0 ? `ERROR TypeError: cannot read ${word(i)}` : `    at fn${word(i)} (src/${word(i)}.js:${i}:7)`)),
  },
  { name: 'log: one huge line', gen: (n) => `${'E'.repeat(n)}\n` + lines(20, (i) => `INFO line ${i}`) },
  {
    name: 'log: n deeply indented lines after compiler errors',
    gen: (n) => lines(Math.ceil(n / 30), (i) => (i % 10 === 0 ? `src/a${i}.ts(1,2): error TS2322: Type '${word(i)}' is not assignable.` : `${' '.repeat(2900)}x`)),
  },
  {
    name: 'log: n call-like lines after stack frames',
    gen: (n) => lines(Math.ceil(n / 30), (i) => (i % 10 === 0 ? `  File "src/m${i}.py", line ${i}, in run` : `${'a('.repeat(1400)}a`)),
  },
  { name: 'log: n TAP failures', gen: (n) => lines(n, (i) => (i % 5 === 0 ? `not ok ${i} - test ${word(i)}` : i % 5 === 1 ? '  ---' : i % 5 === 4 ? '  ...' : `  found: ${word(i)}`)) },
].map((c) => ({ ...c, run: 'compress', kind: 'log' }));

const diff = [
  {
    name: 'diff: n files',
    gen: (n) => lines(n, (i) => `diff --git a/f${i}.js b/f${i}.js\n--- a/f${i}.js\n+++ b/f${i}.js\n@@ -1,3 +1,3 @@\n context\n-old ${i}\n+new ${i}`),
  },
  { name: 'diff: one file, n hunks', gen: (n) => 'diff --git a/f.js b/f.js\n--- a/f.js\n+++ b/f.js\n' + lines(n, (i) => `@@ -${i * 3},3 +${i * 3},3 @@\n ctx\n-a${i}\n+b${i}`) },
  {
    name: 'diff: n commits',
    gen: (n) =>
      lines(n, (i) => `commit ${(i.toString(16) + 'a'.repeat(40)).slice(0, 40)}\nAuthor: A <a@b>\nDate: now\n\n    fix ${i % 50 === 0 ? 'timeout in handler' : word(i)}\n\ndiff --git a/x b/x\n@@ -1 +1 @@\n-a\n+b`),
  },
  { name: 'diff: one huge line', gen: (n) => `diff --git a/f b/f\n@@ -1 +1 @@\n-${'x'.repeat(n)}\n+y` },
].map((c) => ({ ...c, run: 'compress', kind: 'diff' }));

/** One function in each language, `i` making names unique. */
const FUNCTIONS = {
  python: (i) => `def handler_${i}(request, count):\n    """Handle it."""\n    total = 0\n    for item in request.items:\n        total += item.size * count\n    return total\n`,
  javascript: (i) => `function handler${i}(request, count) {\n  let total = 0;\n  for (const item of request.items) {\n    total += item.size * count;\n  }\n  return total;\n}\n`,
  typescript: (i) => `export function handler${i}(request: Request, count: number): number {\n  let total = 0;\n  for (const item of request.items) {\n    total += item.size * count;\n  }\n  return total;\n}\n`,
  go: (i) => `func handler${i}(r *Request, count int) int {\n\ttotal := 0\n\tfor _, item := range r.Items {\n\t\ttotal += item.Size * count\n\t}\n\treturn total\n}\n`,
  rust: (i) => `pub fn handler_${i}(r: &Request, count: usize) -> usize {\n    let mut total = 0;\n    for item in &r.items {\n        total += item.size * count;\n    }\n    total\n}\n`,
  java: (i) => `    public int handler${i}(Request r, int count) {\n        int total = 0;\n        for (Item item : r.items) {\n            total += item.size * count;\n        }\n        return total;\n    }\n`,
  cpp: (i) => `int handler${i}(const Request& r, int count) {\n    int total = 0;\n    for (const auto& item : r.items) {\n        total += item.size * count;\n    }\n    return total;\n}\n`,
};
const HEADERS = {
  python: 'import os\nfrom typing import List\n\n',
  javascript: "import fs from 'node:fs';\nimport path from 'node:path';\n\n",
  typescript: "import type { Request } from './types';\ninterface Options {\n  depth: number;\n}\n\n",
  go: 'package main\n\nimport "fmt"\n\n',
  rust: 'use std::io;\nuse std::fmt;\n\n',
  java: 'package app;\n\nimport java.util.List;\n\npublic class Handlers {\n',
  cpp: '#include <vector>\n#include <string>\n\nnamespace app {\n',
};
const FOOTERS = { java: '}\n', cpp: '}\n' };
const file = (lang, body) => HEADERS[lang] + body + (FOOTERS[lang] ?? '');

/** `depth` nested blocks (callbacks, closures or nested functions) around one statement. */
const NESTED = {
  python: (d) => Array.from({ length: d }, (_, k) => `${'    '.repeat(k)}def level_${k}(x):\n`).join('') + `${'    '.repeat(d)}return x\n`,
  javascript: (d) => 'function outer() {\n' + 'run(() => {\n'.repeat(d) + 'work();\n' + '});\n'.repeat(d) + '}\n',
  go: (d) => 'func outer() {\n' + 'run(func() {\n'.repeat(d) + 'work()\n' + '})\n'.repeat(d) + '}\n',
  rust: (d) => 'fn outer() {\n' + 'run(|| {\n'.repeat(d) + 'work();\n' + '});\n'.repeat(d) + '}\n',
};

const code = [
  ...Object.keys(FUNCTIONS).map((lang) => ({ name: `code/${lang}: n functions`, language: lang, gen: (n) => file(lang, Array.from({ length: n }, (_, i) => FUNCTIONS[lang](i)).join('\n')) })),
  ...Object.keys(NESTED).map((lang) => ({ name: `code/${lang}: n-deep nesting`, language: lang, maxBytes: 400_000, gen: (d) => file(lang, NESTED[lang](d)) })),
  ...['python', 'javascript', 'java'].map((lang) => ({
    name: `code/${lang}: one huge line`,
    language: lang,
    // Enough ordinary functions that the mean line stays short enough to be parsed.
    gen: (n) => file(lang, `${FUNCTIONS[lang](0).replace('total = 0', `total = ${'1 + '.repeat(n / 4)}0`)}\n` + Array.from({ length: Math.ceil(n / 800) }, (_, i) => FUNCTIONS[lang](i + 1)).join('\n')),
  })),
].map((c) => ({ maxBytes: 4_500_000, ...c, run: 'compress', kind: 'code' }));

const html = [
  { name: 'html: n paragraphs', gen: (n) => `<!doctype html><html><body>${Array.from({ length: n }, (_, i) => `<div><h2>Part ${i}</h2><p>Text of part ${word(i)} &amp; more&nbsp;here.</p></div>`).join('\n')}</body></html>` },
  { name: 'html: n unclosed <script>', gen: (n) => '<html><body><p>x</p>' + '<script>var a = 1;\n'.repeat(n) },
  { name: 'html: n unclosed comments', gen: (n) => '<html><body><p>x</p>' + '<!-- note\n'.repeat(n) },
  { name: "html: n tags without '>'", gen: (n) => '<html><body><p>x</p>' + '<h1 a <li b <br c <td d <i e\n'.repeat(n) },
].map((c) => ({ ...c, run: 'compress', kind: 'html' }));

const table = [
  { name: 'table: n CSV rows', gen: (n) => 'id,name,state,ms\n' + lines(n, (i) => `${i},${word(i)},${i % 13 ? 'ok' : 'error'},${i % 1000}`) },
  { name: 'table: n markdown rows', gen: (n) => '| id | name | state |\n|---|---|---|\n' + lines(n, (i) => `| ${i} | ${word(i)} | ${i % 13 ? 'ok' : 'timeout'} |`) },
].map((c) => ({ ...c, run: 'compress', kind: 'table' }));

const prose = [
  { name: 'prose: n lines', gen: (n) => lines(n, (i) => `The ${word(i)} module handles requests for ${word(i + 1)} and reports a timeout when it must.`) },
  { name: 'prose: one huge line', gen: (n) => `${'word '.repeat(n / 5)}\n` + lines(10, (i) => `line ${i}`) },
].map((c) => ({ ...c, run: 'compress', kind: 'prose' }));

const listing = [
  { name: 'listing: n paths, one folder each', gen: (n) => lines(n, (i) => `./src/${word(i)}/${word(i + 3)}Request${word(i + 7)}Handler${i}.java`) },
  { name: 'listing: ls -R, n folders of 3', gen: (n) => lines(n / 4, (i) => `./pkg/${word(i)}_${i}:\n${word(i)}_client.go\n${word(i + 1)}_timeout_test.go\n`) },
  { name: 'listing: n names of many words', gen: (n) => lines(n, (i) => `./lib/${Array.from({ length: 12 }, (_, k) => word(i + k)).join('-')}.js`) },
].map((c) => ({ ...c, run: 'compress', kind: 'listing' }));

const detect = [
  { name: 'detect: json items', gen: json[0].gen },
  { name: 'detect: one line of letters', gen: (n) => 'a'.repeat(n) },
  { name: "detect: one line of 'a-'", gen: (n) => 'a-'.repeat(n / 2) },
  { name: 'detect: one line of n spaces', gen: (n) => `${' '.repeat(n)}x` },
  { name: 'detect: n log lines', gen: log[0].gen },
  { name: 'detect: n CSV rows', gen: table[0].gen },
  { name: 'detect: n python functions', gen: code[0].gen },
].map((c) => ({ ...c, run: 'detect' }));

const markers = [
  { name: "markers: n '[... ' on one line", gen: (n) => '[... '.repeat(n / 5) },
  { name: "markers: n '[... ' then a marker", gen: (n) => '[... x omitted'.repeat(n / 14) + '; headroom_retrieve key=0123456789abcdef ...]' },
].map((c) => ({ ...c, run: 'markers' }));

const relevance = [
  { name: 'relevance: n lines, 2000-word query', gen: (n) => ({ text: prose[0].gen(n), query: Array.from({ length: 2000 }, (_, i) => `${word(i + 500)}x`).join(' ') }) },
  {
    name: 'relevance: 10k lines, n-char query',
    gen: (n) => ({ text: prose[0].gen(10_000), query: Array.from({ length: Math.ceil(n / 8) }, (_, i) => `${word(i + 500)}q`).join(' ') }),
  },
].map((c) => ({ maxBytes: 2_000_000, ...c, run: 'relevance' }));

const tokens = [
  { name: 'tokens: n log lines', gen: log[0].gen },
  { name: 'tokens: one word of n letters', gen: (n) => 'a'.repeat(n) },
  { name: 'tokens: one word of n random letters', gen: (n) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('') },
].map((c) => ({ ...c, run: 'tokens' }));

export const CASES = [...json, ...search, ...log, ...diff, ...code, ...html, ...table, ...listing, ...prose, ...detect, ...markers, ...relevance, ...tokens].map((c) => ({
  query: QUERY,
  maxBytes: 10_000_000,
  ...c,
}));
