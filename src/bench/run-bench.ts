import type { CcrStore } from '../compress/ccr-store.js';
import { countTokens } from '../compress/tokens.js';
import { compressRequest } from '../proxy/compress-request.js';
import { toolOutputs } from '../wire/index.js';
import { anthropic } from '../providers/index.js';
import type { Workload } from './corpus.js';
import { headTail } from './head-tail.js';
import { needleInView } from './needles.js';

/** One tool output of a workload, compressed, next to a head+tail cut of the same token size. */
export interface OutputResult {
  index: number;
  /** The content kind headroom detected. */
  detected: string;
  tokensBefore: number;
  tokensAfter: number;
  needles: number;
  inView: number;
  /** Needles a head+tail cut to `tokensAfter` tokens keeps in view. */
  headTailInView: number;
}

export interface WorkloadResult {
  id: string;
  corpus: string;
  /** The workload's kind of output (its meta, else its category). */
  kind: string;
  language: string;
  /** Kept for the bundled corpus's table: the category of the workload. */
  category: string;
  outputs: OutputResult[];
  inputKB: number;
  tokensBefore: number;
  tokensAfter: number;
  savingPct: number;
  requestTokensBefore: number;
  requestTokensAfter: number;
  needles: number;
  inView: number;
  headTailInView: number;
  retrievable: number;
  lost: number;
  lostNeedles: string[];
  /** Needles a head+tail cut of the same size keeps in view and headroom does not. */
  headTailOnly: string[];
  ms: number;
}

/**
 * Compress one workload's request the way the proxy does (the query is what the request
 * itself says: the task and the agent's step), check each needle in the output it belongs to,
 * and cut every output to the same token size with head+tail for comparison.
 */
export function runWorkload(w: Workload, store: CcrStore, keep = 1): WorkloadResult {
  const result = compressRequest(w.raw, { store, ...(keep !== 1 ? { keep } : {}) });
  const originals = toolOutputs(anthropic.read(w.raw)).map((o) => o.text);
  const outs = result.toolOutputs;
  const perOutput: OutputResult[] = outs.map((o, index) => ({
    index,
    detected: o.kind,
    tokensBefore: o.tokensBefore,
    tokensAfter: o.tokensAfter,
    needles: 0,
    inView: 0,
    headTailInView: 0,
  }));
  const cuts = new Map<number, string>();
  const cutOf = (i: number) => {
    if (!cuts.has(i)) cuts.set(i, headTail(originals[i]!, outs[i]!.tokensAfter));
    return cuts.get(i)!;
  };
  let inView = 0;
  let headTailInView = 0;
  let retrievable = 0;
  const lostNeedles: string[] = [];
  const headTailOnly: string[] = [];
  for (const n of w.needles) {
    const candidates = n.output !== undefined && outs[n.output] ? [n.output] : outs.map((_, i) => i);
    const seenIn = candidates.find((i) => needleInView(n.text, outs[i]!.text));
    const home = seenIn ?? candidates.find((i) => originals[i]!.includes(n.text)) ?? candidates[0];
    const ht = candidates.some((i) => needleInView(n.text, cutOf(i)));
    if (home !== undefined) {
      perOutput[home]!.needles++;
      if (seenIn !== undefined) perOutput[home]!.inView++;
      if (ht) perOutput[home]!.headTailInView++;
    }
    if (ht) headTailInView++;
    if (seenIn !== undefined) inView++;
    else {
      if (ht) headTailOnly.push(n.text);
      if (candidates.some((i) => outs[i]!.retrievalKeys.some((k) => store.get(k)?.includes(n.text)))) retrievable++;
      else lostNeedles.push(n.text);
    }
  }
  const saved = result.tokensBefore - result.tokensAfter;
  return {
    id: w.id,
    corpus: w.corpus,
    kind: w.kind,
    language: w.language,
    category: w.kind,
    outputs: perOutput,
    inputKB: Math.round(w.raw.length / 1024),
    tokensBefore: result.tokensBefore,
    tokensAfter: result.tokensAfter,
    savingPct: result.tokensBefore === 0 ? 0 : (100 * saved) / result.tokensBefore,
    requestTokensBefore: countTokens(w.raw),
    requestTokensAfter: countTokens(result.body),
    needles: w.needles.length,
    inView,
    headTailInView,
    retrievable,
    lost: lostNeedles.length,
    lostNeedles,
    headTailOnly,
    ms: outs.reduce((a, o) => a + o.ms, 0),
  };
}
