import { combineContext, type InjectedContext, type NeutralRequest, realUserText, type Replacement, type TextPart, withoutInjectedContext } from '../wire/index.js';
import { settleWithin, type CallMeta, type RecallHook } from './proxy-tools.js';
import { contentHash, type ConversationState } from './conversation-state.js';

/**
 * Recalled context goes into the newest user turn, never the system prompt, and cache-safely:
 * the text appended to a user text part is remembered in the session by a hash of the part's
 * original text, and every later request of the session gets the same bytes appended to it.
 * So each forwarded request stays a byte-prefix extension of the previous one.
 */

/** headroom's own block in user turns: the memories recall appended (`<headroom-memory n="2">`). */
const RECALL_CONTEXT: InjectedContext = { tags: ['headroom-memory'], preambles: [] };

/** What in a user turn is not the user's words: the agents' context blocks and headroom's recalled memories. */
export function notUserWords(agents: InjectedContext): InjectedContext {
  return combineContext(agents, RECALL_CONTEXT);
}

/** The user turn a request ends with, and where its recalled context goes. */
export interface NewestTurn {
  part: TextPart & { span: NonNullable<TextPart['span']> };
  /** The user's text in that turn (injected context blocks left out): the recall query. */
  query: string;
  /** Context is already remembered for this part (the same text was sent before). */
  remembered: boolean;
}

/**
 * The newest user turn when the request ends with one the user wrote: its last real text part
 * (not an injected context block) and its text. Instructions an agent puts after the turn
 * (Claude Code sends a `system` message last) do not count as the end; a turn of tool results
 * only, or of context blocks only (`agents` names them), is not one the user wrote.
 */
export function newestUserTurn(request: NeutralRequest, session: ConversationState, agents: InjectedContext): NewestTurn | undefined {
  const last = request.messages.findLast((m) => m.role !== 'system');
  if (!last || last.role !== 'user') return undefined;
  const context = notUserWords(agents);
  const query = realUserText(last, context);
  if (query === '') return undefined;
  const part = last.parts.findLast((p): p is NewestTurn['part'] => p.type === 'text' && p.span !== undefined && withoutInjectedContext(p.text, context) !== '');
  if (!part) return undefined;
  return { part, query, remembered: session.userContext.has(contentHash(part.text)) };
}

/** What is appended to a part: a blank line, then the context. */
function appendedContext(text: string): string {
  return `\n\n${text}`;
}

/**
 * The edits that append context to user text parts: the remembered context of every part the
 * session has seen, and `fresh` (new context for the newest turn's part) when given. Returns
 * the edits and what to remember once the request is forwarded with them.
 */
export function userContextEdits(
  request: NeutralRequest,
  session: ConversationState,
  fresh?: { part: NewestTurn['part']; text: string },
): { edits: Replacement[]; remember?: [hash: string, appended: string] } {
  const remember: [string, string] | undefined = fresh ? [contentHash(fresh.part.text), appendedContext(fresh.text)] : undefined;
  const edits: Replacement[] = [];
  if (session.userContext.size === 0 && !remember) return { edits };
  for (const m of request.messages) {
    if (m.role !== 'user') continue;
    for (const p of m.parts) {
      if (p.type !== 'text' || !p.span) continue;
      const hash = contentHash(p.text);
      const add = session.userContext.get(hash) ?? (hash === remember?.[0] ? remember[1] : undefined);
      if (add !== undefined) edits.push({ start: p.span.start, end: p.span.end, text: JSON.stringify(p.text + add) });
    }
  }
  return { edits, ...(remember ? { remember } : {}) };
}

/**
 * Asks the recall hook for context; undefined when it has none, throws, or takes longer than
 * `timeoutMs` (the request then goes without, and one line is logged).
 */
export async function recallFor(hook: RecallHook, query: string, meta: CallMeta, timeoutMs: number, log: (line: string) => void): Promise<{ text: string; count: number } | undefined> {
  const result = await settleWithin(() => hook(query, meta), timeoutMs);
  if (!result.ok) {
    log(`recall failed (${result.reason}); the request went without recalled context`);
    return undefined;
  }
  const found = result.value;
  if (!found || typeof found.text !== 'string' || found.text.trim() === '') return undefined;
  return { text: found.text, count: typeof found.count === 'number' && Number.isFinite(found.count) ? found.count : 0 };
}
