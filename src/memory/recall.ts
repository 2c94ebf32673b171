import * as fs from 'node:fs';
import { searchWords, type Memories, type SearchHit } from './memory.js';
import type { Memory } from './types.js';

/** How many memories a recall adds at most. */
const RECALL_K = 5;

/**
 * Below this cosine similarity a memory is recalled only when it also shares words with the
 * task: sentence embedders place a question and the fact that answers it only moderately
 * close, while unrelated memories of one project sit not far below.
 */
const MIN_SIMILARITY: Record<string, number> = { 'use-lite': 0.5, minilm: 0.45 };

let template: string | undefined;

function framing(): string {
  template ??= fs.readFileSync(new URL('../../templates/memory-recall.txt', import.meta.url), 'utf8');
  return template;
}

function relevant(hit: SearchHit, embedderId: string): boolean {
  const min = MIN_SIMILARITY[embedderId.split(':')[0]!] ?? 0.5;
  return hit.textMatch || (hit.similarity ?? 0) >= min;
}

/**
 * One memory as the model reads it: id, who said it and when, the text. Anything in it that a
 * model could read as the recall frame's own tag is defused, so a memory cannot close the
 * frame and put text of its own outside it.
 */
export function memoryLine(m: Memory): string {
  const day = new Date(m.updatedAt).toISOString().slice(0, 10);
  return withoutFrameTags(`- [${m.id} · ${m.agents.join(', ')} · ${day}] ${m.text.replace(/\n/g, '\n  ')}`);
}

/** The brackets a tag can be written with: plain, full-width or small, or escaped as HTML, JSON or JS would. */
const LT = String.raw`(?:<|\uFF1C|\uFE64|&lt;|&#0*60;|&#x0*3c;|\\u003c|\\x3c)`;
const GT = String.raw`(?:>|\uFF1E|\uFE65|&gt;|&#0*62;|&#x0*3e;|\\u003e|\\x3e)`;

/**
 * `<headroom-memory>` and `</headroom-memory>` in any case, spacing, separator or escape, with
 * or without attributes or a closing bracket: the text between the brackets is kept (group 1).
 */
const FRAME_TAG_RE = new RegExp(String.raw`${LT}(\s*(?:\\?\/)?\s*headroom[\s_\-\u2010-\u2014]*memory(?![\w-])[^<>\n]*?)(?:${GT}|(?=[<\n])|$)`, 'giu');

/** The frame's tags in `text` rewritten in square brackets (`[/headroom-memory]`): shown, never read as the tag. */
export function withoutFrameTags(text: string): string {
  return text.replace(FRAME_TAG_RE, (_tag, inner: string) => `[${inner.trim()}]`);
}

/**
 * The memories relevant to a task, framed as read-only context for the newest user turn,
 * or undefined when none is relevant. Counts the recall in each memory's hits.
 */
export async function recall(memories: Memories, task: string): Promise<{ text: string; count: number; ids: string[] } | undefined> {
  const query = searchWords(task);
  if (query === '') return undefined;
  const hits = (await memories.search(query, { k: RECALL_K })).filter((h) => relevant(h, memories.embedderId));
  if (hits.length === 0) return undefined;
  const ids = hits.map((h) => h.memory.id);
  // Counted off the request's path: a lost count costs nothing.
  void memories.countRecall(ids).catch(() => undefined);
  const text = framing().trimEnd().replace('{{memories}}', hits.map((h) => memoryLine(h.memory)).join('\n'));
  return { text, count: hits.length, ids };
}
