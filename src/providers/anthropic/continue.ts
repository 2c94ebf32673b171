import { appendToArray, objectMembers, rootSpan } from '../../wire/index.js';
import type { ProxyResult, Round } from '../types.js';

/** The next round's request: the model's turn and a user turn of tool results appended to `messages`. */
export function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const messages = objectMembers(raw, rootSpan(raw)).get('messages');
  if (!messages) throw new SyntaxError('request has no messages');
  const answers = results.map((r) => ({ type: 'tool_result', tool_use_id: r.call.id, content: r.text }));
  const turn = `${JSON.stringify({ role: 'assistant', content: round.assistant })},${JSON.stringify({ role: 'user', content: answers })}`;
  const edit = appendToArray(raw, messages, turn);
  return raw.slice(0, edit.start) + edit.text + raw.slice(edit.end);
}
