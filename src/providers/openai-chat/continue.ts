import { appendToArray, objectMembers, rootSpan, splice } from '../../wire/index.js';
import type { ProxyResult, Round } from '../types.js';

/**
 * The next round's request: the assistant message and one `tool` message per answer appended to
 * `messages`.
 */
export function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const messages = objectMembers(raw, rootSpan(raw)).get('messages');
  if (!messages || raw[messages.start] !== '[') throw new SyntaxError('request has no messages array');
  const turn = [round.assistant, ...results.map((r) => ({ role: 'tool', tool_call_id: r.call.id, content: r.text }))];
  return splice(raw, [appendToArray(raw, messages, turn.map((m) => JSON.stringify(m)).join(','))]);
}
