import type { Tally } from '../wrap/tally.js';

/** The session's headline: the proxy's savings and those made at the source, together. */
export function tallyTotals(t: Tally): { tokensBefore: number; tokensAfter: number; saved: number; usdSaved: number; unpriced: number } {
  const tokensBefore = t.tokensBefore + t.source.tokensBefore;
  const tokensAfter = t.tokensAfter + t.source.tokensAfter;
  return { tokensBefore, tokensAfter, saved: tokensBefore - tokensAfter, usdSaved: t.usdSaved + t.source.usdSaved, unpriced: t.unpriced + t.source.unpriced };
}
