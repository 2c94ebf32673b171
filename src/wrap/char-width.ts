import { eastAsianWidth } from 'get-east-asian-width';

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Columns a terminal gives a code point: 0 for combining marks and format characters, 2 for wide ones. */
export function charWidth(cp: number): number {
  if (cp < 0x300) return cp >= 0xa0 || (cp >= 0x20 && cp < 0x7f) ? 1 : 0;
  if (cp > 0x10ffff) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  return eastAsianWidth(cp);
}
