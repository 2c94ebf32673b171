import { decode, encode } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * The blind baseline every compression is judged against: the first and last halves of a
 * token budget of the text, with nothing chosen by content. A budget at or above the text's
 * size keeps it whole.
 */
export function headTail(text: string, budgetTokens: number): string {
  const tokens = encode(text);
  if (budgetTokens >= tokens.length) return text;
  const head = Math.floor(Math.max(0, budgetTokens) / 2);
  const tail = Math.max(0, Math.floor(budgetTokens) - head);
  return `${decode(tokens.slice(0, head))}\n[...]\n${decode(tokens.slice(tokens.length - tail))}`;
}
