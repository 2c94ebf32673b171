import { appendToArray, isObject, type Json, objectMembers, objects, rootSpan } from '../../wire/index.js';
import type { ProxyResult, Round } from '../types.js';

/** The next round's request: the model turn and a user turn of function responses appended to `contents`. */
export function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const contents = objectMembers(raw, rootSpan(raw)).get('contents');
  if (!contents || raw[contents.start] !== '[') throw new SyntaxError('Gemini request has no contents array');
  const turn = modelTurn(round.assistant);
  // Calls without an id got a generated one; the answer names an id only when the call had its own.
  const ownIds = new Set(turn.parts.map((p) => (isObject(p.functionCall) ? p.functionCall.id : undefined)).filter((id) => typeof id === 'string'));
  const answers = results.map((r) => ({
    functionResponse: { ...(ownIds.has(r.call.id) ? { id: r.call.id } : {}), name: r.call.name, response: { output: r.text } },
  }));
  const edit = appendToArray(raw, contents, `${JSON.stringify(turn)},${JSON.stringify({ role: 'user', parts: answers })}`);
  return raw.slice(0, edit.start) + edit.text + raw.slice(edit.end);
}

/** The model turn a Round carries, `{role: "model", parts}` as the upstream sent its parts. */
function modelTurn(assistant: unknown): { role: 'model'; parts: Json[] } {
  return { role: 'model', parts: isObject(assistant) ? objects(assistant.parts) : [] };
}
