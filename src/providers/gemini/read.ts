import { MIN_CHARS } from '../../compress/types.js';
import { arrayElements, isObject, type Message, type NeutralRequest, objectMembers, objects, type Part, rootSpan, type Span, spansForUserOnly, stringAt, type TextPart } from '../../wire/index.js';

/** Reads a generateContent request into the neutral view (model and stream come from the URL). */
export function read(raw: string): NeutralRequest {
  const body: unknown = JSON.parse(raw);
  if (!isObject(body)) throw new SyntaxError('Gemini request body is not a JSON object');
  const system: TextPart[] = [];
  const instruction = body.systemInstruction;
  if (typeof instruction === 'string') system.push({ type: 'text', text: instruction });
  else if (isObject(instruction)) {
    for (const p of objects(instruction.parts)) if (typeof p.text === 'string' && p.thought !== true) system.push({ type: 'text', text: p.text });
  }
  const tools = objects(body.tools).flatMap((t) => objects(t.functionDeclarations).map((d) => String(d.name ?? '')));
  const contents = objectMembers(raw, rootSpan(raw)).get('contents');
  const messages = contents ? arrayElements(raw, contents).map((span) => readContent(raw, span)) : [];
  return { model: '', stream: false, system, tools, messages };
}

/** Gemini CLI's own members for a tool's result (`{output}` or `{error}`), always read as outputs. */
const RESULT_MEMBERS = new Set(['output', 'error']);

function readContent(raw: string, span: Span): Message {
  const members = objectMembers(raw, span);
  const role = stringAt(raw, members.get('role'));
  const partsSpan = members.get('parts');
  const parts = partsSpan ? arrayElements(raw, partsSpan).flatMap((p) => readPart(raw, p)) : [];
  return spansForUserOnly({ role: role === 'model' ? 'assistant' : 'user', parts });
}

function readPart(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const json = (s: Span | undefined): unknown => (s ? JSON.parse(raw.slice(s.start, s.end)) : undefined);
  // Thought summaries are the model's reasoning, not conversation text.
  if (json(m.get('thought')) === true) return [];
  const textSpan = m.get('text');
  const text = stringAt(raw, textSpan);
  if (textSpan && text !== undefined) return [{ type: 'text', text, span: textSpan }];
  const call = json(m.get('functionCall'));
  if (isObject(call)) {
    const name = String(call.name ?? '');
    return [{ type: 'tool_call', id: typeof call.id === 'string' ? call.id : name, name, input: call.args ?? {} }];
  }
  const answer = m.get('functionResponse');
  return answer ? readFunctionResponse(raw, answer) : [];
}

/**
 * Every string member of `functionResponse.response` that holds a tool's output: Gemini CLI's
 * `output` and `error` always, any other member (MCP servers' `content`, `result`, ...) once it
 * is long enough for compression to consider it.
 */
function readFunctionResponse(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const id = stringAt(raw, m.get('id')) ?? stringAt(raw, m.get('name')) ?? '';
  const response = m.get('response');
  if (!response) return [];
  const outputs: Part[] = [];
  for (const [key, valueSpan] of objectMembers(raw, response)) {
    const text = stringAt(raw, valueSpan);
    if (text === undefined || (!RESULT_MEMBERS.has(key) && text.length < MIN_CHARS)) continue;
    outputs.push({ type: 'tool_output', id, text, isError: key === 'error', span: valueSpan });
  }
  return outputs;
}
