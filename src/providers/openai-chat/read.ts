import { arrayElements, isObject, type Json, type Message, type NeutralRequest, objectMembers, parseArguments, type Part, rootSpan, type Span, spansForUserOnly, stringAt, type TextPart } from '../../wire/index.js';
import { callPayload } from './calls.js';

/**
 * Reads a Chat Completions request into the neutral view; leading system/developer messages are the
 * system prompt.
 */
export function read(raw: string): NeutralRequest {
  const body = (JSON.parse(raw) ?? {}) as Json;
  const list = objectMembers(raw, rootSpan(raw)).get('messages');
  const parsed = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const system: TextPart[] = [];
  const messages: Message[] = [];
  (list ? arrayElements(raw, list) : []).forEach((span, i) => {
    const message = readMessage(raw, span, isObject(parsed[i]) ? parsed[i] : {});
    // Instructions before the conversation are the system prompt; later ones keep their place.
    if (message.role === 'system' && messages.length === 0) system.push(...message.parts.filter((p): p is TextPart => p.type === 'text'));
    else messages.push(message);
  });
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    system,
    tools: Array.isArray(body.tools) ? (body.tools as unknown[]).map(toolName) : [],
    messages,
    ...(typeof body.prompt_cache_key === 'string' ? { sessionKey: body.prompt_cache_key } : {}),
  };
}

function toolName(tool: unknown): string {
  if (!isObject(tool)) return '';
  const payload = isObject(tool.function) ? tool.function : isObject(tool.custom) ? tool.custom : tool;
  return String(payload.name ?? tool.type ?? '');
}

function readMessage(raw: string, span: Span, message: Json): Message {
  const members = objectMembers(raw, span);
  const role = message.role;
  if (role === 'tool' || role === 'function') {
    // Legacy `function` messages answer by function name; they carry no call id.
    const id = String((role === 'tool' ? message.tool_call_id : message.name) ?? '');
    return { role: 'tool', parts: outputParts(raw, members.get('content'), id) };
  }
  const parts: Part[] = textParts(raw, members.get('content'));
  if (role === 'assistant') parts.push(...callParts(message.tool_calls));
  return spansForUserOnly({ role: role === 'assistant' ? 'assistant' : role === 'system' || role === 'developer' ? 'system' : 'user', parts });
}

/** A message's text: its string content, or the `text` parts of its content array (with spans). */
function textParts(raw: string, content: Span | undefined): TextPart[] {
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return [{ type: 'text', text: direct, span: content }];
  const parts: TextPart[] = [];
  for (const element of content ? arrayElements(raw, content) : []) {
    const m = objectMembers(raw, element);
    const span = m.get('text');
    const text = stringAt(raw, span);
    if (span && text !== undefined && stringAt(raw, m.get('type')) === 'text') parts.push({ type: 'text', text, span });
  }
  return parts;
}

function callParts(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((call) => {
    const payload = callPayload(call);
    const input = payload.arguments ?? payload.input;
    return { type: 'tool_call', id: String(call.id ?? ''), name: String(payload.name ?? ''), input: typeof input === 'string' ? parseArguments(input) : input };
  });
}

/** A tool message's output: its string content, or each text part of its content array. */
function outputParts(raw: string, content: Span | undefined, id: string): Part[] {
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError: false, span: content }];
  const parts: Part[] = [];
  for (const element of content ? arrayElements(raw, content) : []) {
    const m = objectMembers(raw, element);
    const span = m.get('text');
    const text = stringAt(raw, span);
    if (span && text !== undefined && stringAt(raw, m.get('type')) === 'text') parts.push({ type: 'tool_output', id, text, isError: false, span });
  }
  return parts;
}
