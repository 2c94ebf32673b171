import type { ContentKind } from './types.js';
import { compressText, type CompressOptions } from './compress-text.js';
import { arrayElements, objectMembers, rootSpan, splice, stringAt, type Replacement, type Span } from './json-spans.js';

export type RequestProvider = 'anthropic';

export interface RequestCompressOptions extends Omit<CompressOptions, 'kind'> {
  provider?: RequestProvider;
}

export interface ToolOutputStat {
  toolUseId: string;
  kind: ContentKind;
  tokensBefore: number;
  tokensAfter: number;
  retrievalKeys: string[];
  ms: number;
  /** The compressed text of this tool output. */
  text: string;
}

export interface RequestCompressResult<B> {
  body: B;
  /** The query used: the given one, else the latest user text of the request. */
  query: string;
  toolOutputs: ToolOutputStat[];
  tokensBefore: number;
  tokensAfter: number;
  retrievalKeys: string[];
}

/**
 * Compress the tool outputs of an Anthropic Messages request body (raw JSON text or a parsed
 * object; the result has the same form). Only tool_result content is touched: system
 * prompts, user and assistant text, tools and every other byte stay as they were, and a
 * block keeps its cache_control marker. Raw text is edited by splicing, so unchanged parts
 * are byte-identical. Throws a SyntaxError when a raw body is not valid JSON.
 */
export function compressRequest<B extends string | object>(body: B, opts: RequestCompressOptions = {}): RequestCompressResult<B> {
  const provider = opts.provider ?? 'anthropic';
  if (provider !== 'anthropic') throw new Error(`unsupported provider: ${String(provider)}`);
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  JSON.parse(raw); // validate once, with the standard error message
  const targets = toolOutputTexts(raw);
  const query = opts.query ?? latestUserText(raw);
  const replacements: Replacement[] = [];
  const toolOutputs: ToolOutputStat[] = [];
  for (const t of targets) {
    const r = compressText(t.text, { query, ...(opts.store ? { store: opts.store } : {}) });
    toolOutputs.push({
      toolUseId: t.toolUseId,
      kind: r.kind,
      tokensBefore: r.tokensBefore,
      tokensAfter: r.tokensAfter,
      retrievalKeys: r.retrievalKeys,
      ms: r.ms,
      text: r.text,
    });
    if (r.text !== t.text) replacements.push({ start: t.span.start, end: t.span.end, text: JSON.stringify(r.text) });
  }
  const out = replacements.length > 0 ? splice(raw, replacements) : raw;
  return {
    body: (typeof body === 'string' ? out : JSON.parse(out)) as B,
    query,
    toolOutputs,
    tokensBefore: toolOutputs.reduce((a, t) => a + t.tokensBefore, 0),
    tokensAfter: toolOutputs.reduce((a, t) => a + t.tokensAfter, 0),
    retrievalKeys: [...new Set(toolOutputs.flatMap((t) => t.retrievalKeys))],
  };
}

interface ToolOutputText {
  toolUseId: string;
  span: Span;
  text: string;
}

/** Every text of every tool_result block: the string content, or each text part of a list. */
export function toolOutputTexts(raw: string): ToolOutputText[] {
  const found: ToolOutputText[] = [];
  for (const block of contentBlocks(raw)) {
    const members = objectMembers(raw, block);
    if (stringAt(raw, members.get('type')) !== 'tool_result') continue;
    const toolUseId = stringAt(raw, members.get('tool_use_id')) ?? '';
    const content = members.get('content');
    if (!content) continue;
    const direct = stringAt(raw, content);
    if (direct !== undefined) {
      found.push({ toolUseId, span: content, text: direct });
      continue;
    }
    for (const part of arrayElements(raw, content)) {
      const pm = objectMembers(raw, part);
      if (stringAt(raw, pm.get('type')) !== 'text') continue;
      const textSpan = pm.get('text');
      const text = stringAt(raw, textSpan);
      if (textSpan && text !== undefined) found.push({ toolUseId, span: textSpan, text });
    }
  }
  return found;
}

/** The latest user text that is not a tool result or an injected reminder. */
export function latestUserText(raw: string): string {
  let latest = '';
  for (const msg of arrayElements(raw, objectMembers(raw, rootSpan(raw)).get('messages') ?? { start: 0, end: 0 })) {
    const m = objectMembers(raw, msg);
    if (stringAt(raw, m.get('role')) !== 'user') continue;
    const content = m.get('content');
    const direct = stringAt(raw, content);
    const texts: string[] = [];
    if (direct !== undefined) texts.push(direct);
    else if (content) {
      for (const part of arrayElements(raw, content)) {
        const pm = objectMembers(raw, part);
        if (stringAt(raw, pm.get('type')) === 'text') texts.push(stringAt(raw, pm.get('text')) ?? '');
      }
    }
    const real = texts.filter((t) => t.trim() !== '' && !t.trimStart().startsWith('<system-reminder>'));
    if (real.length > 0) latest = real.join('\n');
  }
  return latest;
}

function* contentBlocks(raw: string): Generator<Span> {
  const messages = objectMembers(raw, rootSpan(raw)).get('messages');
  if (!messages) return;
  for (const msg of arrayElements(raw, messages)) {
    const content = objectMembers(raw, msg).get('content');
    if (content && raw[content.start] === '[') yield* arrayElements(raw, content);
  }
}
