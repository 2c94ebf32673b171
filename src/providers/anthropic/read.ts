import { arrayElements, type Json, type Message, type NeutralRequest, objectMembers, type Part, rootSpan, type Span, spansForUserOnly, stringAt, type TextPart } from '../../wire/index.js';

/** Reads a Messages request into the neutral view; tool results keep the spans of their text. */
export function read(raw: string): NeutralRequest {
  const body = JSON.parse(raw) as Json;
  const system: TextPart[] = [];
  if (typeof body.system === 'string') system.push({ type: 'text', text: body.system });
  else if (Array.isArray(body.system)) for (const b of body.system as Json[]) if (typeof b?.text === 'string') system.push({ type: 'text', text: b.text });
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]).map((t) => String(t?.name ?? t?.type ?? '')) : [];
  const messagesSpan = objectMembers(raw, rootSpan(raw)).get('messages');
  const messages: Message[] = messagesSpan ? arrayElements(raw, messagesSpan).map((span) => readMessage(raw, span)) : [];
  return { model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true, system, tools, messages };
}

function readMessage(raw: string, span: Span): Message {
  const members = objectMembers(raw, span);
  const role = stringAt(raw, members.get('role'));
  const content = members.get('content');
  const parts: Part[] = [];
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) parts.push({ type: 'text', text: direct, span: content });
  else if (content) for (const block of arrayElements(raw, content)) parts.push(...readBlock(raw, block));
  return spansForUserOnly({ role: role === 'assistant' ? 'assistant' : role === 'system' ? 'system' : 'user', parts });
}

function readBlock(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const type = stringAt(raw, m.get('type'));
  if (type === 'text') {
    const span = m.get('text');
    const text = stringAt(raw, span);
    return [text !== undefined && span ? { type: 'text', text, span } : { type: 'text', text: '' }];
  }
  if (type === 'tool_use') {
    const input = m.get('input');
    return [{ type: 'tool_call', id: stringAt(raw, m.get('id')) ?? '', name: stringAt(raw, m.get('name')) ?? '', input: input ? JSON.parse(raw.slice(input.start, input.end)) : {} }];
  }
  if (type !== 'tool_result') return [];
  const id = stringAt(raw, m.get('tool_use_id')) ?? '';
  const isError = raw.slice(m.get('is_error')?.start ?? 0, m.get('is_error')?.end ?? 0) === 'true';
  const content = m.get('content');
  if (!content) return [];
  const direct = stringAt(raw, content);
  if (direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError, span: content }];
  const outputs: Part[] = [];
  for (const part of arrayElements(raw, content)) {
    const pm = objectMembers(raw, part);
    if (stringAt(raw, pm.get('type')) !== 'text') continue;
    const textSpan = pm.get('text');
    const text = stringAt(raw, textSpan);
    if (textSpan && text !== undefined) outputs.push({ type: 'tool_output', id, text, isError, span: textSpan });
  }
  return outputs;
}
