import { AGENT_CONTEXT } from '../agents/index.js';
import type { CcrStore } from '../compress/ccr-store.js';
import { countTokens } from '../compress/tokens.js';
import { compressRequestBody, type RetrieveToolMode } from '../proxy/compress-request.js';
import { anthropic } from '../providers/index.js';
import { ConversationState } from '../proxy/conversation-state.js';

/** Price of a cache-read input token relative to an uncached one. */
const CACHE_READ_FACTOR = 0.1;

export interface ReplayResult {
  id: string;
  /** Requests the simulated client sent. */
  turns: number;
  /** Pairs of consecutive requests where the client's request extended the previous one. */
  transitions: number;
  /** Of those, pairs where the forwarded request extended the previous forwarded one the same way. */
  stable: number;
  /** Cache-aware input cost in token units: uncached + 0.1 x cache-read, summed over the turns. */
  costDirect: number;
  costHeadroom: number;
}

type Message = { role: string; content: unknown };

/**
 * Replays a workload as the multi-turn session an agent would send: one request per user
 * turn of its conversation (each re-sending the whole history), plus a follow-up turn that
 * asks something new. Every request goes through the proxy's compression with one session
 * state, as the running proxy does. The provider is modelled as caching the longest prefix
 * shared with the previous request.
 */
export function replaySession(id: string, raw: string, store: CcrStore, retrieveTool: RetrieveToolMode = 'always'): ReplayResult {
  const body = JSON.parse(raw) as { messages: Message[] };
  const messages = [...body.messages, { role: 'assistant', content: 'Noted.' }, { role: 'user', content: 'What should I check next?' }];
  const ends = messages.flatMap((m, i) => (m.role === 'user' ? [i + 1] : []));
  const clients = ends.map((end) => JSON.stringify({ ...body, messages: messages.slice(0, end) }));
  const session = new ConversationState(`bench:${id}`);
  const forwarded = clients.map((c) => compressRequestBody(anthropic, c, { session, store, retrieveTool, injectedContext: AGENT_CONTEXT }).body);
  let transitions = 0;
  let stable = 0;
  let costDirect = countTokens(clients[0]!);
  let costHeadroom = countTokens(forwarded[0]!);
  for (let k = 1; k < clients.length; k++) {
    const [c0, c1, f0, f1] = [clients[k - 1]!, clients[k]!, forwarded[k - 1]!, forwarded[k]!];
    const cShared = commonPrefix(c0, c1);
    const fShared = commonPrefix(f0, f1);
    transitions++;
    // The client's requests diverge only where the new turn starts; the forwarded pair must
    // diverge at the same place, i.e. leave the same tail of the previous request behind.
    if (f0.length - fShared === c0.length - cShared) stable++;
    costDirect += cacheAwareCost(c1, cShared);
    costHeadroom += cacheAwareCost(f1, fShared);
  }
  return { id, turns: clients.length, transitions, stable, costDirect, costHeadroom };
}

function cacheAwareCost(request: string, cachedChars: number): number {
  const total = countTokens(request);
  const cached = Math.min(total, countTokens(request.slice(0, cachedChars)));
  return total - cached + CACHE_READ_FACTOR * cached;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
