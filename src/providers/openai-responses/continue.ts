import { appendMember, appendToArray, objectMembers, type Replacement, rootSpan, splice } from '../../wire/index.js';
import type { ProxyResult, Round } from '../types.js';

/** Appends the model's output items (reasoning and call ids as they came) and one output per call. */
export function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const replayed = Array.isArray(round.assistant) ? (round.assistant as unknown[]) : [];
  const answers = results.map((r) => ({ type: 'function_call_output', call_id: r.call.id, output: r.text }));
  const items = [...replayed, ...answers].map((item) => JSON.stringify(item)).join(',');
  if (items === '') return raw;
  const root = rootSpan(raw);
  const input = objectMembers(raw, root).get('input');
  let edit: Replacement;
  if (!input) edit = appendMember(raw, root, 'input', `[${items}]`);
  else if (raw[input.start] === '[') edit = appendToArray(raw, input, items);
  // A plain-text input becomes the first message of an item list, its string bytes kept.
  else edit = { start: input.start, end: input.end, text: `[{"role":"user","content":${raw.slice(input.start, input.end)}},${items}]` };
  return splice(raw, [edit]);
}
