import { arrayElements, type Json, type Message, type NeutralRequest, objectMembers, parseArguments, type Part, type Role, rootSpan, type Span, spansForUserOnly, stringAt, type TextPart } from '../../wire/index.js';
import { ADDITIONAL_TOOLS } from './tools.js';

/** Reads a Responses request into the neutral view; consecutive input items of one role form one message. */
export function read(raw: string): NeutralRequest {
  const body = JSON.parse(raw) as Json;
  const system: TextPart[] = typeof body.instructions === 'string' ? [{ type: 'text', text: body.instructions }] : [];
  const carried = Array.isArray(body.input) ? (body.input as Json[]).filter((i) => i?.type === ADDITIONAL_TOOLS).flatMap((i) => toolNames(i.tools)) : [];
  const tools = [...toolNames(body.tools), ...carried];
  const input = objectMembers(raw, rootSpan(raw)).get('input');
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    system,
    tools,
    messages: input ? readInput(raw, input) : [],
    ...(typeof body.prompt_cache_key === 'string' ? { sessionKey: body.prompt_cache_key } : {}),
  };
}

const TEXT_PART_TYPES = new Set(['input_text', 'output_text', 'text']);

/** Tool names, a namespace's tools included (flattened). */
function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return (tools as Json[]).flatMap((t) => (t?.type === 'namespace' ? toolNames(t.tools) : [String(t?.name ?? t?.type ?? '')]));
}

function readInput(raw: string, span: Span): Message[] {
  const direct = stringAt(raw, span);
  if (direct !== undefined) return [{ role: 'user', parts: [{ type: 'text', text: direct, span }] }];
  const messages: Message[] = [];
  for (const itemSpan of arrayElements(raw, span)) {
    const message = readItem(raw, objectMembers(raw, itemSpan));
    if (!message) continue;
    // Consecutive items of one role (a turn's calls, a batch of outputs) form one message.
    const last = messages.at(-1);
    if (last && last.role === message.role) last.parts.push(...message.parts);
    else messages.push(message);
  }
  return messages;
}

function readItem(raw: string, m: Map<string, Span>): Message | undefined {
  const type = stringAt(raw, m.get('type'));
  if (type === 'message' || (type === undefined && m.has('role'))) return readMessage(raw, m);
  const callId = stringAt(raw, m.get('call_id')) ?? '';
  const name = stringAt(raw, m.get('name')) ?? '';
  if (type === 'function_call') return { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name, input: parseArguments(stringAt(raw, m.get('arguments'))) }] };
  if (type === 'custom_tool_call') return { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name, input: stringAt(raw, m.get('input')) ?? '' }] };
  if (!type?.endsWith('_call_output')) return undefined;
  const parts = readOutput(raw, m.get('output'), callId, stringAt(raw, m.get('status')) === 'failed');
  return parts.length > 0 ? { role: 'tool', parts } : undefined;
}

function readMessage(raw: string, m: Map<string, Span>): Message {
  const role = stringAt(raw, m.get('role'));
  const neutralRole: Role = role === 'assistant' ? 'assistant' : role === 'system' || role === 'developer' ? 'system' : 'user';
  const content = m.get('content');
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return spansForUserOnly({ role: neutralRole, parts: [{ type: 'text', text: direct, span: content }] });
  const parts: Part[] = [];
  for (const partSpan of content ? arrayElements(raw, content) : []) {
    const pm = objectMembers(raw, partSpan);
    const span = pm.get('text');
    const text = stringAt(raw, span);
    if (TEXT_PART_TYPES.has(stringAt(raw, pm.get('type')) ?? '') && span && text !== undefined) parts.push({ type: 'text', text, span });
  }
  return spansForUserOnly({ role: neutralRole, parts });
}

/** A tool output: one string, or a list whose `input_text` parts each count as one output. */
function readOutput(raw: string, output: Span | undefined, id: string, isError: boolean): Part[] {
  if (!output) return [];
  const direct = stringAt(raw, output);
  if (direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError, span: output }];
  const parts: Part[] = [];
  for (const partSpan of arrayElements(raw, output)) {
    const pm = objectMembers(raw, partSpan);
    const textSpan = pm.get('text');
    const text = stringAt(raw, textSpan);
    if (stringAt(raw, pm.get('type')) === 'input_text' && textSpan && text !== undefined) parts.push({ type: 'tool_output', id, text, isError, span: textSpan });
  }
  return parts;
}
