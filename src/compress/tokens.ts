import { countTokens as countO200k, encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** Tokens of a text under o200k (gpt-tokenizer): the unit of every figure headroom reports. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : countO200k(text);
}

/**
 * The o200k token ids of a text, special-token strings (`<|endoftext|>`) read as plain text, so
 * any tool output can be encoded. For prefix comparisons (the prompt-cache simulator).
 */
export function encodeTokens(text: string): number[] {
  return text.length === 0 ? [] : encodeO200k(text, { disallowedSpecial: new Set() });
}
