import { textOfInput, type Step } from '../compress/focus.js';
import type { ContentKind } from '../compress/types.js';
import { count } from '../plural.js';
import { contentHash, type MemoEntry } from './conversation-state.js';

/** A repeat shorter than this goes as the first copy went: a fold would save little. */
const FOLD_MIN_CHARS = 800;

/** Where one tool output of a request stands among identical ones. */
export interface Occurrence {
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
      return { key: hash };
    }
    // A short copy goes as the first one went, under the same key.
    if (text.length < FOLD_MIN_CHARS) return { key: hash };
    return { key: `${hash}#${seen.copies++}`, repeatOf: seen.at };
  });
}

/** The memo entry of a folded repeat: a note saying which earlier output it is the same as. */
export function foldedRepeat(text: string, firstStep: Step, kind: ContentKind): MemoEntry {
  const call = describeCall(firstStep);
  const note = `[headroom: this output is identical to an earlier tool output in this conversation${call ? ` (${call})` : ''}, ${count(text.split('\n').length, 'line')}; folded here, the earlier copy holds it]`;
  return { compressed: note, kind, retrievalKeys: [] };
}

/** A short description of a tool call: its name and the start of its input's text. */
function describeCall(step: Step): string {
  let text = `${step.tool ?? ''} ${textOfInput(step.input)}`.replace(/\s+/g, ' ').trim();
  if (text.length > 120) text = `${text.slice(0, 117)}...`;
  return text.replaceAll(']', ')');
}
