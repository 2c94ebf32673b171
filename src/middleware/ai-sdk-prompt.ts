import type { Span } from '../wire/index.js';
import type { Message, NeutralRequest, Part, TextPart } from '../wire/index.js';

/**
 * The part of an AI SDK language-model call (`LanguageModelV3CallOptions`) headroom reads:
 * declared structurally, so the middleware needs no AI SDK package at run time.
 */
export interface AiCallOptions {
  prompt: ReadonlyArray<AiMessage>;
  tools?: ReadonlyArray<{ name: string }> | undefined;
}

type AiMessage = { role: 'system'; content: string } | { role: 'user' | 'assistant' | 'tool'; content: ReadonlyArray<AiPart> };

interface AiPart {
  type: string;
  text?: string;
  toolCallId?: string;
  toolName?: string;
  input?: unknown;
  output?: AiToolOutput;
}

type AiToolOutput = { type: 'text' | 'error-text'; value: string } | { type: 'json' | 'error-json'; value: unknown } | { type: string; value?: unknown };

/** Where one tool-result part is in the prompt. */
export interface OutputPlace {
  message: number;
  part: number;
}

/**
 * A prompt in the neutral view compression works on, with a raw text to splice: the JSON
 * array of the tool outputs' texts, in order (each output's span points into it). Text and
 * JSON outputs are read; denied executions and multi-part content are left alone.
 */
export function readPrompt(params: AiCallOptions, model: string): { request: NeutralRequest; raw: string; places: OutputPlace[] } {
  const system: TextPart[] = [];
  const messages: Message[] = [];
  const places: OutputPlace[] = [];
  let raw = '[';
  params.prompt.forEach((m, message) => {
    if (m.role === 'system') {
      system.push({ type: 'text', text: m.content });
      return;
    }
    const parts: Part[] = [];
    m.content.forEach((p, part) => {
      if (p.type === 'text' && typeof p.text === 'string') parts.push({ type: 'text', text: p.text });
      else if (p.type === 'tool-call') parts.push({ type: 'tool_call', id: p.toolCallId ?? '', name: p.toolName ?? '', input: p.input });
      else if (p.type === 'tool-result') {
        const text = outputText(p.output);
        if (text === undefined) return;
        if (places.length > 0) raw += ',';
        const span: Span = { start: raw.length, end: raw.length + JSON.stringify(text).length };
        raw += JSON.stringify(text);
        places.push({ message, part });
        parts.push({ type: 'tool_output', id: p.toolCallId ?? '', text, isError: p.output?.type.startsWith('error-') === true, span });
      }
    });
    messages.push({ role: m.role, parts });
  });
  const tools = (params.tools ?? []).map((t) => t.name);
  return { request: { model, stream: false, system, tools, messages }, raw: `${raw}]`, places };
}

/** The text of a tool output compression can read (JSON as its text), or undefined. */
function outputText(output: AiToolOutput | undefined): string | undefined {
  if (!output) return undefined;
  if (output.type === 'text' || output.type === 'error-text') return typeof output.value === 'string' ? output.value : undefined;
  if (output.type === 'json' || output.type === 'error-json') return JSON.stringify(output.value);
  return undefined;
}

/** The call with the given tool outputs' texts in place of the originals (the caller's objects are not changed). */
export function withOutputs<P extends AiCallOptions>(params: P, places: OutputPlace[], texts: string[]): P {
  const prompt = params.prompt.map((m) => (m.role === 'system' ? m : { ...m, content: [...m.content] }));
  places.forEach((at, i) => {
    const m = prompt[at.message]!;
    if (m.role === 'system') return;
    const part = m.content[at.part]!;
    if (outputText(part.output) === texts[i]) return;
    const error = part.output?.type.startsWith('error-') === true;
    (m.content as AiPart[])[at.part] = { ...part, output: { type: error ? 'error-text' : 'text', value: texts[i]! } };
  });
  return { ...params, prompt };
}
