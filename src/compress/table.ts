import type { Compressor } from './types.js';
import { extract } from './prose.js';

/** CSV/TSV and markdown tables: the header stays, then the most relevant rows. */
export const tableCompressor: Compressor = {
  kind: 'table',
  compress(text, ctx) {
    const markdown = /^\s*\|/.test(text);
    return extract(text, ctx, { headerLines: markdown ? 2 : 1, budgetShare: 0.25 });
  },
};
