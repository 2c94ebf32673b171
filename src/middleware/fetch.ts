import { FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import type { RetrieveToolMode } from '../proxy/compress-request.js';
import type { NeutralRequest } from '../wire/index.js';
import { RETRIEVE_ONLY } from '../providers/index.js';
import { matchRoute, type ApiRoute } from '../proxy/routes.js';
import { conversationId, Conversations, type ConversationState } from '../proxy/conversation-state.js';
import { answerJson, answerStream, type RetrievalLoop } from './rounds.js';

/** The shape of `fetch` every SDK accepts. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface HeadroomFetchOptions {
  /** The fetch that reaches the provider (default: the global fetch). */
  fetch?: Fetch;
  /** Where originals are kept for headroom_retrieve (default: the same on-disk store as the proxy). */
  store?: CcrStore;
  /** Past this many milliseconds of compressing, a request's new outputs go as they are. */
  budgetMs?: number;
  /** How much compression keeps next to its size policy (default 1). */
  keep?: number;
  /** When to add the headroom_retrieve tool (default 'always', as the proxy). */
  retrieveTool?: RetrieveToolMode;
  /** Upper bound on extra upstream rounds that answer retrieve calls (default 3, as the proxy). */
  maxRetrievalRounds?: number;
}

/** Names a conversation's session when its requests carry no id the proxy would find. */
export const SESSION_HEADER = 'x-headroom-session';

/**
 * A `fetch` that does in-process what the headroom proxy does on the wire: requests to a
 * provider's generate endpoint (recognised by the path, as the proxy routes them) get their
 * tool outputs compressed with the conversation's cache-safe session memo and the
 * headroom_retrieve tool added; the model's retrieve calls are answered here and the
 * conversation continued, so the caller gets one ordinary provider response (streamed or not).
 * Anything else goes through untouched.
 */
export function headroomFetch(options: HeadroomFetchOptions = {}): Fetch {
  const base: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const store = options.store ?? new FileCcrStore();
  const sessions = new Conversations();
  return async (input, init) => {
    const target = targetOf(input, init);
    const route = target && routeOf(target.method, target.url);
    if (!route) return base(input, init);
    const raw = await bodyText(input, init);
    if (raw === undefined) return base(input, init);
    const fixed = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get(SESSION_HEADER);
    const generate = route.op === 'generate';
    // The compressor loads with the first provider request, not with the entry.
    const { compressRequestBody } = await import('../proxy/compress-request.js');
    let result;
    try {
      result = compressRequestBody(route.adapter, raw, {
        session: (request) => sessions.get(sessionId(request, fixed)),
        store,
        ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
        ...(options.keep !== undefined ? { keep: options.keep } : {}),
        retrieveTool: options.retrieveTool ?? 'always',
        // A token count gets nothing added, and markers where the request for the model has them.
        ...(generate ? {} : { addTools: false }),
      });
    } catch (err) {
      // A body the provider's reader cannot parse goes upstream as it came, as through the proxy.
      if (err instanceof SyntaxError) return base(input, init);
      throw err;
    }
    const send = (body: string): Promise<Response> => base(...withBody(input, init, body));
    const first = result.body === raw && fixed === null ? await base(input, init) : await send(result.body);
    if (!generate || !result.retrieveToolAdded || first.status !== 200) return first;
    const loop: RetrievalLoop = { adapter: route.adapter, store, proxyNames: RETRIEVE_ONLY, maxRounds: options.maxRetrievalRounds ?? 3, send };
    const type = first.headers.get('content-type') ?? '';
    return type.includes('text/event-stream') ? answerStream(loop, result.body, first) : answerJson(loop, result.body, first);
  };
}

/** The same session id the proxy gives a request that names no agent session. */
function sessionId(request: NeutralRequest, fixed: string | null): string {
  if (fixed) return `headroom:${fixed}`;
  return request.sessionKey ? `key:${request.sessionKey}` : conversationId(request);
}

function targetOf(input: string | URL | Request, init: RequestInit | undefined): { method: string; url: string } | undefined {
  if (input instanceof Request) return { method: init?.method ?? input.method, url: input.url };
  return { method: (init?.method ?? 'GET').toUpperCase(), url: String(input) };
}

/**
 * The provider route of a URL: its path as the proxy routes it, or the part from the last
 * `/v1` (or `/v1beta`) on, for a base URL with a prefix of its own (a gateway's `/openai/v1`).
 */
function routeOf(method: string, url: string): ApiRoute | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const direct = matchRoute(method, pathname);
  if (direct) return direct;
  for (let at = pathname.lastIndexOf('/v1'); at > 0; at = pathname.lastIndexOf('/v1', at - 1)) {
    const route = matchRoute(method, pathname.slice(at));
    if (route) return route;
  }
  return undefined;
}

/** The request body as text, or undefined for a body that is not text the proxy would read. */
async function bodyText(input: string | URL | Request, init: RequestInit | undefined): Promise<string | undefined> {
  const body = init?.body ?? (input instanceof Request && init?.body === undefined ? await input.clone().text() : undefined);
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Arguments for the base fetch with a new body; the length is recomputed and x-headroom-* headers stay here. */
function withBody(input: string | URL | Request, init: RequestInit | undefined, body: string): [string | URL | Request, RequestInit] {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.delete('content-length');
  headers.delete(SESSION_HEADER);
  if (input instanceof Request) return [input.url, { method: input.method, signal: input.signal, ...init, headers, body }];
  return [input, { ...init, headers, body }];
}
