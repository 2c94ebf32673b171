import type { Step } from '../compress/focus.js';
import type { ContentKind } from '../compress/types.js';
import { contentHash, type MemoEntry } from './session.js';

/** A repeat shorter than this goes as the first copy went: a fold would save little. */
export const FOLD_MIN_CHARS = 800;

/** Where one tool output of a request stands among identical ones. */
export interface Occurrence {
  /** Hash of the output's text. */
  hash: string;
  /**
   * Its memo key: the hash for the first copy in the conversation, the hash and the copy's
   * number for later ones, so each copy's bytes are decided once, at its first forwarding.
   */
  key: string;
  /** Position (in the request's outputs) of the first identical output, for a repeat that is folded. */
  repeatOf?: number;
}

/**
 * The memo key of each output, in order. A later copy of an output the request already holds
 * (the same file read twice, a command run again with the same result) is folded, losslessly:
 * the first copy stays where it is, in view or retrievable through its own markers.
 */
export function occurrences(texts: string[]): Occurrence[] {
  const first = new Map<string, { at: number; copies: number }>();
  return texts.map((text, i) => {
    const hash = contentHash(text);
    const seen = first.get(hash);
    if (!seen) {
      first.set(hash, { at: i, copies: 1 });
      return { hash, key: hash };
    }
    const key = `${hash}#${seen.copies++}`;
    return text.length >= FOLD_MIN_CHARS ? { hash, key, repeatOf: seen.at } : { hash, key: hash };
  });
}

/** The memo entry of a folded repeat: a note saying which earlier output it is the same as. */
export function foldedRepeat(text: string, firstStep: Step, kind: ContentKind): MemoEntry {
  const lines = text.split('\n').length;
  const call = describeCall(firstStep);
  const note = `[headroom: this output is identical to an earlier tool output in this conversation${call ? ` (${call})` : ''}, ${lines} line${lines === 1 ? '' : 's'}; folded here, the earlier copy holds it]`;
  return { compressed: note, kind, retrievalKeys: [] };
}

/** A short description of a tool call: its name and the start of its string arguments. */
function describeCall(step: Step): string {
  const args: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') args.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(step.input);
  let text = [step.tool ?? '', ...args].join(' ').replace(/\s+/g, ' ').trim();
  if (text.length > 120) text = `${text.slice(0, 117)}...`;
  return text.replaceAll(']', ')');
}
