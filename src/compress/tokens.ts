import { createRequire } from 'node:module';

type O200k = typeof import('gpt-tokenizer/encoding/o200k_base');

// The o200k table takes most of a second to load, so it loads on the first count, not at import:
// a `/compress` user, `headroom --help` and every command that counts nothing skip it. The
// CommonJS build of gpt-tokenizer is loaded with `require` so every caller stays synchronous.
// The proxy's compression threads warm it up when they start (compress-worker.ts).
const require = createRequire(import.meta.url);
let o200k: O200k | undefined;

function tokenizer(): O200k {
  o200k ??= require('gpt-tokenizer/encoding/o200k_base') as O200k;
  return o200k;
}

/** Special-token strings (`<|endoftext|>`) in a text are read as plain text: any tool output counts. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens of a text under o200k (gpt-tokenizer): the unit of every figure headroom reports. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().countTokens(text, AS_TEXT);
}

/** The o200k token ids of a text, for prefix comparisons (the prompt-cache simulator). */
export function encodeTokens(text: string): number[] {
  return text.length === 0 ? [] : tokenizer().encode(text, AS_TEXT);
}

/** The text of o200k token ids (the inverse of encodeTokens). */
export function decodeTokens(tokens: number[]): string {
  return tokens.length === 0 ? '' : tokenizer().decode(tokens);
}
