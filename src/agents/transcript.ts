import { sep } from 'node:path';
import type { TranscriptLine } from './types.js';

/** Shared pieces of the per-agent transcript readers. */

export type Json = Record<string, unknown>;

/** A JSONL line as an object, or undefined when it is not one (blank, cut short, an array). */
export function parseLine(line: string): Json | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The last `n` segments of a path (either separator), e.g. ['projects', slug, 'x.jsonl']. */
export function lastSegments(path: string, n: number): string[] {
  return path.split(sep === '\\' ? /[\\/]/ : '/').filter((s) => s !== '').slice(-n);
}

/** The text parts of a message content: a string, or an array of blocks with `text` (other blocks skipped). */
export function textParts(content: unknown, textType?: string): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const block of content) {
    if (!isObject(block) || typeof block.text !== 'string') continue;
    if (textType !== undefined && block.type !== textType) continue;
    out.push(block.text);
  }
  return out;
}

/** A TranscriptLine without undefined members, texts trimmed and empty ones dropped. */
export function transcriptLine(texts: string[], meta: Omit<TranscriptLine, 'texts'> = {}): TranscriptLine {
  const out: TranscriptLine = { texts: texts.map((t) => t.trim()).filter((t) => t !== '') };
  if (meta.session) out.session = meta.session;
  if (meta.cwd) out.cwd = meta.cwd;
  if (meta.record) out.record = meta.record;
  return out;
}

/**
 * The last RegExp match anywhere (line splitting included) keeps its input alive, which can be a
 * transcript's last huge line: a match on a tiny string lets that line be freed.
 */
export function forgetLastMatch(): void {
  /x/.exec('x');
}
