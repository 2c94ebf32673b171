import type { Span } from './json-spans.js';

/**
 * The provider-neutral view of a request. Each wire format is read into it by its adapter in
 * `providers/`; compression works on this view only. Tool outputs carry the span of their
 * JSON string in the raw body, so a changed output is written back by splicing and every
 * other byte of the request stays as the client sent it.
 */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
  /**
   * Where the text's JSON string value (quotes included) sits in the raw body, for text parts
   * of messages (system prompts have none). Recall is appended to a user turn through it.
   */
  span?: Span;
}

interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolOutputPart {
  type: 'tool_output';
  /** The id of the tool call this answers (Gemini: the function name when no id is sent). */
  id: string;
  /** The text of the output (one JSON string value of the body). */
  text: string;
  isError: boolean;
  /** Where that JSON string value (quotes included) sits in the raw body. */
  span: Span;
}

export type Part = TextPart | ToolCallPart | ToolOutputPart;

export interface Message {
  role: Role;
  parts: Part[];
}

export interface NeutralRequest {
  model: string;
  stream: boolean;
  system: TextPart[];
  /** Names of the tools the client declared. */
  tools: string[];
  messages: Message[];
  /** A session id the body itself carries (OpenAI `prompt_cache_key`). */
  sessionKey?: string;
}

/** Token usage a response reports, in the provider-neutral terms the stats use. */
export interface Usage {
  /** Input tokens not served from the cache (providers that count cached ones in their input total have them subtracted). */
  input: number;
  output: number;
  /** Input tokens served from the provider's prompt cache. */
  cacheRead: number;
  /** Input tokens written to the cache (Anthropic only). */
  cacheWrite: number;
}

export const NO_USAGE: Usage = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite };
}

/** The message with text spans kept only if it is a user message: nothing else is ever appended to. */
export function spansForUserOnly(m: Message): Message {
  if (m.role === 'user' || !m.parts.some((p) => p.type === 'text' && p.span)) return m;
  return { ...m, parts: m.parts.map((p) => (p.type === 'text' && p.span ? { type: 'text', text: p.text } : p)) };
}

/** Every tool output of a request, in order. */
export function toolOutputs(req: NeutralRequest): ToolOutputPart[] {
  const out: ToolOutputPart[] = [];
  for (const m of req.messages) for (const p of m.parts) if (p.type === 'tool_output') out.push(p);
  return out;
}

/**
 * The agent's step that produced each tool output of a request, by the output's position in
 * `toolOutputs`: the text of the assistant turn holding the call, the call's name and input.
 * An output whose call is not in the request gets an empty step.
 */
export function stepsOfOutputs(req: NeutralRequest): Array<{ thought: string; tool?: string; input?: unknown }> {
  const steps: Array<{ thought: string; tool?: string; input?: unknown }> = [];
  const calls = new Map<string, { thought: string; tool: string; input: unknown }>();
  for (const m of req.messages) {
    const thought = m.role === 'assistant' ? m.parts.filter((p): p is TextPart => p.type === 'text').map((p) => p.text).join('\n').trim() : '';
    for (const p of m.parts) {
      if (p.type === 'tool_call') calls.set(p.id, { thought, tool: p.name, input: p.input });
      else if (p.type === 'tool_output') steps.push(calls.get(p.id) ?? { thought: '' });
    }
  }
  return steps;
}

/**
 * Blocks an agent adds to the user's turns that are context, not what the user wrote: blocks
 * by tag name (`<system-reminder>…</system-reminder>`, attributes allowed) and preambles that
 * make a whole text context when it starts with one. Each agent names its own (src/agents) and
 * the proxy adds headroom's; the wire format knows none of them.
 */
export interface InjectedContext {
  tags: readonly string[];
  preambles: readonly string[];
}

export const NO_INJECTED_CONTEXT: InjectedContext = Object.freeze({ tags: [], preambles: [] });

/** Several agents' context blocks as one. */
export function combineContext(...sets: readonly InjectedContext[]): InjectedContext {
  return { tags: [...new Set(sets.flatMap((s) => s.tags))], preambles: [...new Set(sets.flatMap((s) => s.preambles))] };
}

/**
 * The agent's current task: the latest user text that is not an injected reminder or
 * context block. Compression scores relevance against it.
 */
export function latestUserText(req: NeutralRequest, context: InjectedContext): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i]!;
    if (m.role !== 'user') continue;
    const text = realUserText(m, context);
    if (text !== '') return text;
  }
  return '';
}

/** What the user wrote in a message: its text parts without injected context blocks. */
export function realUserText(m: Message, context: InjectedContext): string {
  return m.parts
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => withoutInjectedContext(p.text, context))
    .filter((t) => t !== '')
    .join('\n');
}

/** A text part's text without injected context ('' when it is context only). */
export function withoutInjectedContext(text: string, context: InjectedContext): string {
  const { block, start } = patternsOf(context);
  const rest = block ? text.replace(block, '').trim() : text.trim();
  // An unclosed block, or a preamble, is context all the way down.
  return start?.test(rest) || context.preambles.some((p) => rest.startsWith(p)) ? '' : rest;
}

interface ContextPatterns {
  block: RegExp | undefined;
  start: RegExp | undefined;
}

/** Compiled patterns by tag list: a proxy sees a handful of distinct lists in its lifetime. */
const compiled = new Map<string, ContextPatterns>();

function patternsOf(context: InjectedContext): ContextPatterns {
  const key = context.tags.join('|');
  let patterns = compiled.get(key);
  if (!patterns) {
    const names = context.tags.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    patterns = names === '' ? { block: undefined, start: undefined } : {
      block: new RegExp(`<(${names})(?:\\s[^>]*)?>[\\s\\S]*?<\\/\\1>`, 'g'),
      start: new RegExp(`^<(${names})(?:\\s[^>]*)?>`),
    };
    compiled.set(key, patterns);
  }
  return patterns;
}
