import { decodeTokens, encodeTokens } from '../compress/tokens.js';

/**
 * The blind baseline every compression is judged against: the first and last halves of a
 * token budget of the text, with nothing chosen by content. A budget at or above the text's
 * size keeps it whole.
 */
export function headTail(text: string, budgetTokens: number): string {
  const tokens = encodeTokens(text);
  if (budgetTokens >= tokens.length) return text;
  const head = Math.floor(Math.max(0, budgetTokens) / 2);
  const tail = Math.max(0, Math.floor(budgetTokens) - head);
  return `${decodeTokens(tokens.slice(0, head))}\n[...]\n${decodeTokens(tokens.slice(tokens.length - tail))}`;
}
