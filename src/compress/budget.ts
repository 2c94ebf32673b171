import { MAX_BUDGET_CHARS } from './select-lines.js';
import { countTokens } from './tokens.js';

/**
 * How much of an output may stay in view, by its size. Up to about 1,500 tokens an output is
 * read whole but for what is plainly filler (repeats, passing tests): every distinct line may
 * be what the agent acts on, and the tokens saved are few. Past that the share falls, to 40%
 * at 2,000 tokens, 30% at 8,000 and 18% from 40,000, and nothing keeps more than
 * MAX_BUDGET_CHARS. A compressor keeps less when what it drops is repetition; this is the
 * ceiling for outputs made of distinct lines. About 4 characters make a token.
 */
export function budgetChars(inputChars: number, inputTokens: number, keep = 1): number {
  // `keep` moves along the policy: 0.5 treats an output as twice its size, 2 as half of it.
  return Math.min(MAX_BUDGET_CHARS * keep, inputChars, Math.round(inputChars * keepShare(inputTokens / keep)));
}

/** Share of the input kept, falling with its size in tokens (see budgetChars). */
export function keepShare(tokens: number): number {
  if (tokens <= WHOLE_TOKENS) return 1;
  if (tokens <= 2000) return lerp(1, 0.4, (tokens - WHOLE_TOKENS) / (2000 - WHOLE_TOKENS));
  if (tokens <= 8000) return lerp(0.4, 0.3, (tokens - 2000) / 6000);
  if (tokens <= 40_000) return lerp(0.3, 0.18, (tokens - 8000) / 32_000);
  return 0.18;
}

/** Outputs up to this many tokens keep every distinct line. */
export const WHOLE_TOKENS = 1500;

/** Whether an output is small enough to be read whole but for filler. */
export function readWhole(inputTokens: number, keep = 1): boolean {
  return inputTokens <= WHOLE_TOKENS * keep;
}

/** Up to this size an input's tokens are counted exactly (a millisecond or two); past it, estimated. */
const COUNTED_CHARS = 40_000;

/** The tokens of an input: counted where the size policy is sensitive to it, else estimated at 4 characters each. */
export function inputTokens(text: string): number {
  return text.length <= COUNTED_CHARS ? countTokens(text) : Math.round(text.length / 4);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * Math.min(1, Math.max(0, t));
}
