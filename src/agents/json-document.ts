import { readFile, stat } from 'node:fs/promises';
import type { ReadCounts } from './events.js';

/**
 * Session files that are one JSON document rewritten whole (Cline, Continue's CLI), for the
 * event readers. Such a file is parsed whole, so its memory is bounded by a cap on its size: a
 * file over MAX_DOCUMENT_BYTES is not parsed and is counted in `counts.oversized`.
 */

/** A session document bigger than this is skipped (counted), so reading one never costs more memory than about this. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface JsonDocument {
  /** The parsed document. */
  value: unknown;
  /** The 1-based line of the first occurrence of `needle` at or after the last one found (the last found line when absent). */
  lineOf(needle: string): number;
}

/**
 * The JSON document in `file`, or undefined when it is over the cap (counted in `counts.oversized`)
 * or is not JSON (counted in `counts.malformed`). Counts its lines in `counts.lines`. Throws only
 * when the file cannot be read.
 */
export async function readJsonDocument(file: string, counts: ReadCounts, maxBytes = MAX_DOCUMENT_BYTES): Promise<JsonDocument | undefined> {
  if ((await stat(file)).size > maxBytes) {
    counts.oversized = (counts.oversized ?? 0) + 1;
    return undefined;
  }
  const text = await readFile(file, 'utf8');
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  counts.lines += text.endsWith('\n') || text === '' ? lines : lines + 1;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    counts.malformed++;
    return undefined;
  }
  return { value, lineOf: lineFinder(text) };
}

/** Finds needles in `text` in document order: each search starts where the last hit was, so a walk costs one pass. */
function lineFinder(text: string): (needle: string) => number {
  let at = 0;
  let line = 1;
  return (needle) => {
    const hit = text.indexOf(needle, at);
    if (hit === -1) return line;
    for (let i = text.indexOf('\n', at); i !== -1 && i < hit; i = text.indexOf('\n', i + 1)) line++;
    at = hit;
    return line;
  };
}
