import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { omitted } from '../compress/marker.js';
import { queryTerms } from '../compress/relevance.js';

/**
 * Outputs too big to hold in memory (hundreds of MB of logs) are digested in one streaming pass:
 * the first and last lines, and the lines that carry a failure or a query term, with a marker for
 * every gap. Memory stays bounded by the number of lines kept, each cut to LINE_KEEP characters.
 */

const HEAD = 40;
const TAIL = 40;
const SIGNALS = 300;
const LINE_KEEP = 2000;
/** A line that reports a failure: kept first whenever an output must shrink. */
export const FAILURE_LINE_RE = /\b(error|errors|failed|failure|fail|fatal|panic|exception|traceback|assert\w*|denied|refused|timeout|timed out|warn\w*|critical|segfault|deadlock|not found|cannot|unable)\b/i;

interface Kept {
  n: number;
  text: string;
}

export interface FileDigest {
  /** sha256 of the bytes, hex (the retrieval key is its first 16 characters). */
  sha256: string;
  /** The file is valid UTF-8 without NUL bytes (anything else is passed through untouched). */
  text: boolean;
  lines: number;
  digest: string;
}

/** Reads `path` once: hash, text check, and the digest (which names `key` in its markers). */
export async function digestFile(path: string, query: string, keyOf: (sha256: string) => string): Promise<FileDigest> {
  const terms = queryTerms(query);
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = true;
  const head: Kept[] = [];
  const tail: Kept[] = [];
  const signalsFirst: Kept[] = [];
  const signalsLast: Kept[] = [];
  let n = 0;
  let line = '';
  let lineChars = 0;

  const endLine = (): void => {
    n++;
    const kept = { n, text: lineChars > LINE_KEEP ? `${line} [… ${lineChars - LINE_KEEP} more characters on this line]` : line };
    if (head.length < HEAD) head.push(kept);
    else {
      const lower = line.toLowerCase();
      if (FAILURE_LINE_RE.test(line) || terms.some((t) => lower.includes(t))) {
        if (signalsFirst.length < SIGNALS / 2) signalsFirst.push(kept);
        else {
          signalsLast.push(kept);
          if (signalsLast.length > SIGNALS / 2) signalsLast.shift();
        }
      }
      tail.push(kept);
      if (tail.length > TAIL) tail.shift();
    }
    line = '';
    lineChars = 0;
  };

  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (!text) continue;
    let s: string;
    try {
      s = decoder.decode(chunk, { stream: true });
    } catch {
      text = false;
      continue;
    }
    if (s.includes('\u0000')) {
      text = false;
      continue;
    }
    let from = 0;
    for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n', from)) {
      addToLine(s.slice(from, nl));
      endLine();
      from = nl + 1;
    }
    addToLine(s.slice(from));
  }
  if (text && lineChars > 0) endLine();
  const sha256 = hash.digest('hex');
  return { sha256, text, lines: n, digest: text ? assemble([...head, ...signalsFirst, ...signalsLast, ...tail], n, keyOf(sha256)) : '' };

  function addToLine(part: string): void {
    if (lineChars < LINE_KEEP) line += part.slice(0, LINE_KEEP - lineChars);
    lineChars += part.length;
  }
}

/** The kept lines in order, without repeats, with a marker where lines were left out. */
function assemble(kept: Kept[], total: number, key: string): string {
  const byLine = new Map<number, string>();
  for (const k of kept) byLine.set(k.n, k.text);
  const order = [...byLine.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let next = 1;
  for (const n of order) {
    if (n > next) out.push(omitted(n - next, 'line', key));
    out.push(byLine.get(n)!);
    next = n + 1;
  }
  if (total >= next) out.push(omitted(total - next + 1, 'line', key));
  return `${out.join('\n')}\n`;
}
