import type { Compressor, ContentKind } from './types.js';
import { codeCompressor } from './code.js';
import { diffCompressor } from './diff.js';
import { htmlCompressor } from './html.js';
import { jsonCompressor } from './json.js';
import { listingCompressor } from './listing.js';
import { lineStreamCompressor, logCompressor } from './logs.js';
import { proseCompressor } from './prose.js';
import { searchCompressor } from './search.js';
import { tableCompressor } from './table.js';

/** One compressor per content kind. */
export const COMPRESSORS: readonly Compressor[] = [
  jsonCompressor,
  searchCompressor,
  lineStreamCompressor('test'),
  lineStreamCompressor('build'),
  lineStreamCompressor('trace'),
  logCompressor,
  diffCompressor,
  codeCompressor,
  htmlCompressor,
  tableCompressor,
  listingCompressor,
  proseCompressor,
];

export function compressorFor(kind: ContentKind): Compressor {
  const c = COMPRESSORS.find((x) => x.kind === kind);
  if (!c) throw new Error(`no compressor for kind ${kind}`);
  return c;
}
