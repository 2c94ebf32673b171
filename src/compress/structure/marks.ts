/**
 * What the structure rules (tracebacks, test reports, compiler diagnostics) say about the lines
 * of one output. Each rule writes into the same marks; a line keeps the strongest word said of it.
 */
export interface Marks {
  /** How essential each line is to what the output reports (0: the rules say nothing). */
  weight: Float64Array;
  /** Lines that must stay: an exception, a failure's header and assertion, a diagnostic, the summary. */
  must: Uint8Array;
  /** The line each line belongs to (-1: none): a message's continuation, a diagnostic's excerpt. */
  tiedTo: Int32Array;
  /** Lines that are filler by structure (passing tests, library frames, progress): left out first. */
  filler: Uint8Array;
  /** What a line is, for the marker of a gap made of such lines ("passing test", "library frame"). */
  labels: (string | undefined)[];
}

export function emptyMarks(n: number): Marks {
  return {
    weight: new Float64Array(n),
    must: new Uint8Array(n),
    tiedTo: new Int32Array(n).fill(-1),
    filler: new Uint8Array(n),
    labels: new Array<string | undefined>(n).fill(undefined),
  };
}

/** Weights of the roles lines play; a higher one is kept first. */
export const WEIGHT = {
  /** The exception or panic message, a failed assertion, an error diagnostic, a run's summary. */
  essential: 6,
  /** A failing test's name, where a failure happened, the frame nearest the cause. */
  locate: 5,
  /** Frames in the project's own code, expected and actual values, warnings. */
  detail: 3,
  /** Code excerpts, notes, the rest of a failure's report. */
  context: 1.5,
} as const;

/** Raise a line's weight (never lower it) and optionally make it a must. */
export function mark(m: Marks, i: number, weight: number, must = false): void {
  if (weight > m.weight[i]!) m.weight[i] = weight;
  if (must) m.must[i] = 1;
  m.filler[i] = 0;
}

/** Tie line `i` to `head` (kept along with it), unless it is already tied or is a head itself. */
export function tie(m: Marks, i: number, head: number): void {
  if (i !== head && m.tiedTo[i] === -1) m.tiedTo[i] = head;
}

/** Mark a line as filler of a kind, unless a rule already gave it weight. */
export function fill(m: Marks, i: number, label: string): void {
  if (m.weight[i]! > 0 || m.must[i]) return;
  m.filler[i] = 1;
  m.labels[i] = label;
}
