import type { ContentKind } from './types.js';
import { detectCodeLanguage } from './code-language.js';
import { keepForCompression, readStructure, structuredKind } from './structure/index.js';
import { LONG_LINE } from './select-lines.js';
import { isListing } from './listing.js';

export interface Detection {
  kind: ContentKind;
  language?: string;
}

/**
 * Tell the content kind of a tool output from a sample of its lines. Cheap: it looks at
 * the first 200 and last 50 lines only (JSON is confirmed by parsing).
 */
export function detectKind(text: string): Detection {
  const trimmed = text.trimStart();
  const first = trimmed[0];
  if ((first === '{' || first === '[') && looksLikeJson(trimmed)) return { kind: 'json' };

  const sample = sampleLines(text);
  const nonEmpty = sample.filter((l) => l.trim() !== '');
  if (nonEmpty.length === 0) return { kind: 'prose' };
  const ratio = (re: RegExp | ((line: string) => boolean)) => nonEmpty.filter(typeof re === 'function' ? re : (l) => re.test(l)).length / nonEmpty.length;

  // A unified diff has its file headers (`diff --git`, or `--- a` with `+++ b`) before its hunks;
  // a hunk header alone is an assertion diff inside a test report.
  const hunks = nonEmpty.some((l) => /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/.test(l));
  const fileHeaders = nonEmpty.some((l) => l.startsWith('+++ ')) && nonEmpty.some((l) => l.startsWith('--- '));
  if (nonEmpty.some((l) => l.startsWith('diff --git ')) || (hunks && fileHeaders) || ratio(/^commit [0-9a-f]{40}\b/) > 0.01)
    return { kind: 'diff' };
  // A test run or a build can print `file:line:` lines too: its structure (a summary, failure
  // headers, diagnostics) tells it from search results.
  const structure = readStructure(sample);
  // The sample is the whole output, line for line as a line-stream compressor splits it: it can reuse what was read.
  if (text.length <= 200_000 && sample.length === lineCount(text) && !sample.some((l) => l.length > LONG_LINE)) keepForCompression(text, structure);
  const structured = structuredKind(structure, sample.length);
  if (structured) return { kind: structured };
  if (ratio(SEARCH_LINE_RE) >= 0.6) return { kind: 'search' };
  if (isListing(nonEmpty)) return { kind: 'listing' };
  if (/^<!doctype html|^<html[\s>]/i.test(trimmed) || ratio(hasHtmlTag) > 0.3)
    return { kind: 'html' };
  if (ratio(/^\s*\|.*\|\s*$/) >= 0.8) return { kind: 'table' };
  const language = detectCodeLanguage(text);
  if (language) return { kind: 'code', language };
  const logLike =
    /^\s*(?:\[?\d{4}[-/]\d{2}[-/]\d{2}[T\s]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}|\d+:[A-Z] \d+ \w+ \d{4})|\b(?:INFO|DEBUG|WARN|WARNING|ERROR|FATAL|TRACE|LOG|NOTICE)\b|\[(?:info|debug|notice|warn|error|crit)\]|^\s*(?:✓|✔|✗|✖|×|ok \d+|not ok \d+|PASS|FAIL|npm (?:ERR|WARN)|> )|\berror(?: TS\d+)?:|^\s+at |^\S+\(\d+,\d+\): |" \d{3} \d+ "|^# (?:Subtest|tests|pass|fail)/;
  if (ratio(logLike) >= 0.2) return { kind: 'log' };
  if (isDelimited(nonEmpty)) return { kind: 'table' };
  return { kind: 'prose' };
}

/**
 * `path:line:` or `path-line-` (grep -n / ripgrep), not a timestamp or a CSV row. The path is
 * matched as "no path letter, the first one, the rest": a path that may start with any letter
 * (`[^\s:,]*[A-Za-z./_]`) made a long line without a colon take quadratic time.
 */
export const SEARCH_LINE_RE = /^(?!\d{4}-\d\d-\d\d|\d\d:\d\d)[^\s:,A-Za-z./_]*[A-Za-z./_][^\s:,]*?[:-]\d+[:-]/;

const HTML_TAG_START_RE = /<\/?(?:div|p|a|span|li|td|tr|h[1-6]|body|head|section|article)\b/i;

/**
 * A common HTML tag (`<div ...>`, `</p>`) in the line. Only text before the line's last `>` can
 * hold one: searching the whole line made every unclosed `<a` scan to its end (quadratic).
 */
export function hasHtmlTag(line: string): boolean {
  const lastClose = line.lastIndexOf('>');
  return lastClose > 0 && HTML_TAG_START_RE.test(line.slice(0, lastClose));
}

function looksLikeJson(trimmed: string): boolean {
  const end = trimmed.trimEnd();
  const last = end[end.length - 1];
  if (last !== '}' && last !== ']') return false;
  try {
    JSON.parse(end);
    return true;
  } catch {
    return false;
  }
}

function lineCount(text: string): number {
  let n = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

function sampleLines(text: string): string[] {
  const lines = text.length > 200_000 ? (text.slice(0, 100_000) + '\n' + text.slice(-20_000)).split('\n') : text.split('\n');
  return lines.length <= 250 ? lines : [...lines.slice(0, 200), ...lines.slice(-50)];
}

/** CSV/TSV: every line (but a few) has the header's number of separators. */
function isDelimited(lines: readonly string[]): boolean {
  if (lines.length < 3) return false;
  for (const [sep, min] of [[',', 2], ['\t', 1]] as const) {
    const counts = lines.map((l) => l.split(sep).length - 1);
    const head = counts[0]!;
    if (head >= min && counts.filter((c) => c === head).length / counts.length >= 0.9) return true;
  }
  return false;
}
