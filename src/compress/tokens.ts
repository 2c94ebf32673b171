import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** Tokens of a text under o200k (gpt-tokenizer): the unit of every figure headroom reports. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : countO200k(text);
}
