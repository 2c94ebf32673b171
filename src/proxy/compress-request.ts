import type { CcrStore } from '../compress/ccr-store.js';
import { compressCore } from '../compress/compress-text.js';
import { splice, type Replacement } from '../compress/json-spans.js';
import { countTokens } from '../compress/tokens.js';
import type { ContentKind } from '../compress/types.js';
import { latestUserText, toolOutputs, type NeutralRequest } from './neutral.js';
import { adapterFor } from './providers/index.js';
import type { ProviderAdapter, ProviderName, ProxyToolSpec } from './providers/types.js';
import { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME } from './retrieval.js';
import { contentHash, SessionState, type MemoEntry } from './session.js';
import { newestUserTurn, userContextEdits } from './user-context.js';
import { RETRIEVE_TOOL_MODES, type RetrieveToolMode } from './retrieve-tool-mode.js';

export interface RequestCompressOptions {
  /**
   * Cache-safety state of the conversation, or a function that finds it from the request;
   * a fresh one (no memory) when omitted.
   */
  session?: SessionState | ((request: NeutralRequest) => SessionState);
  /** Relevance query; defaults to the latest user text of the request. */
  query?: string;
  store?: CcrStore;
  /** Past this many milliseconds the original request is forwarded instead (fail-open). */
  budgetMs?: number;
  /** When to add the headroom_retrieve tool (default 'always'); see RetrieveToolMode. */
  retrieveTool?: RetrieveToolMode;
  /**
   * Tools of the proxy's tool set to add after headroom_retrieve, to every request that
   * declares tools of its own; a name the client declares itself is left out.
   */
  proxyTools?: readonly ProxyToolSpec[];
  /**
   * Context recalled for the newest user turn: appended to its last real text part and
   * remembered for the session. Context remembered from earlier requests is replayed always.
   */
  userContext?: string;
  /** The request already read from the body (it is not read again). */
  request?: NeutralRequest;
}

/**
 * When the proxy adds headroom_retrieve to a request that declares tools of its own:
 * - 'always': from a session's first request on. Tools open the cached prefix, so this is
 *   the mode that never changes a session's prefix; it costs the tool's ~150 tokens per
 *   request (cache-read after the first).
 * - 'when-compressed': from the first request that carries a marker on (then in every later
 *   request of the session). Requests before it go byte for byte; the request that adds it
 *   starts a new cached prefix once.
 * - 'never': markers stay, retrieval is left to `headroom retrieve` or the MCP server.
 * A request without tools of its own (a title or routing call asking for JSON) never gets it.
 */
export { RETRIEVE_TOOL_MODES, type RetrieveToolMode };

function wantsRetrieveTool(mode: RetrieveToolMode, request: NeutralRequest, session: SessionState, hasMarkers: boolean): boolean {
  if (mode === 'never' || request.tools.length === 0 || request.tools.includes(RETRIEVE_TOOL_NAME)) return false;
  return mode === 'always' || hasMarkers || session.retrieveToolAdded;
}

export interface OutputResult {
  id: string;
  kind: ContentKind;
  /** Replayed from the session memo (decided in an earlier request). */
  replayed: boolean;
  entry: MemoEntry;
  original: string;
  /** Milliseconds spent compressing it in this request (0 when replayed). */
  ms: number;
}

export interface RequestCompression {
  /** The body to forward. */
  body: string;
  request: NeutralRequest;
  session: SessionState;
  query: string;
  /** Every tool output of the request, in order. */
  outputs: OutputResult[];
  /** The outputs forwarded compressed (first time or replayed). */
  compressed: OutputResult[];
  retrievalKeys: string[];
  retrieveToolAdded: boolean;
  /** Names of the proxy tool set's tools added to this request. */
  proxyToolsAdded: string[];
  /** `userContext` was appended to the newest user turn (not replayed). */
  contextAdded: boolean;
  /** Why the original was forwarded instead, when compression failed or ran out of time. */
  failedOpen?: string;
  ms: number;
}

export const DEFAULT_BUDGET_MS = 2000;

/**
 * Compress the tool outputs of a raw request body in the provider's format, cache-safely:
 * outputs the session already forwarded are replayed exactly as forwarded, new ones are
 * compressed once and remembered. Untouched bytes stay identical (edits are splices). Throws
 * SyntaxError only when the body is not valid JSON for the adapter; any other failure, or
 * running past the budget, forwards the original body (and remembers its outputs as
 * forwarded uncompressed).
 */
export function compressRequestBody(adapter: ProviderAdapter, raw: string, opts: RequestCompressOptions = {}): RequestCompression {
  const started = performance.now();
  const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;
  const request = opts.request ?? adapter.read(raw);
  const session = typeof opts.session === 'function' ? opts.session(request) : (opts.session ?? new SessionState('one-off'));
  const query = opts.query ?? latestUserText(request);
  const fresh = new Map<string, MemoEntry>();
  const outputs: OutputResult[] = [];
  const edits: Replacement[] = [];
  const failOpen = (reason: string): RequestCompression => {
    for (const [hash, entry] of fresh) session.memo.set(hash, { ...entry, compressed: undefined, retrievalKeys: [] });
    return {
      body: raw,
      request,
      session,
      query,
      outputs: [],
      compressed: [],
      retrievalKeys: [],
      retrieveToolAdded: false,
      proxyToolsAdded: [],
      contextAdded: false,
      failedOpen: reason,
      ms: performance.now() - started,
    };
  };
  let overBudget = false;
  try {
    for (const out of toolOutputs(request)) {
      const hash = contentHash(out.text);
      let entry = session.memo.get(hash) ?? fresh.get(hash);
      const replayed = entry !== undefined && !fresh.has(hash);
      const t0 = performance.now();
      if (!entry) {
        // Past the budget, new outputs go as they are (and stay so); replays still apply.
        overBudget ||= t0 - started > budget;
        const core = overBudget ? undefined : compressCore(out.text, { query, ...(opts.store ? { store: opts.store } : {}) });
        entry = { compressed: core && core.text !== out.text ? core.text : undefined, kind: core?.kind ?? 'prose', retrievalKeys: core?.retrievalKeys ?? [] };
        fresh.set(hash, entry);
      }
      outputs.push({ id: out.id, kind: entry.kind, replayed, entry, original: out.text, ms: replayed ? 0 : performance.now() - t0 });
      if (entry.compressed !== undefined) edits.push({ start: out.span.start, end: out.span.end, text: JSON.stringify(entry.compressed) });
    }
    const compressed = outputs.filter((o) => o.entry.compressed !== undefined);
    const retrievalKeys = [...new Set(compressed.flatMap((c) => c.entry.retrievalKeys))];
    const wantTool = wantsRetrieveTool(opts.retrieveTool ?? 'always', request, session, retrievalKeys.length > 0);
    const proxyTools = request.tools.length > 0 ? (opts.proxyTools ?? []).filter((t) => t.name !== RETRIEVE_TOOL_NAME && !request.tools.includes(t.name)) : [];
    const tools = wantTool ? [RETRIEVE_TOOL, ...proxyTools] : proxyTools;
    if (tools.length > 0) edits.push(adapter.addTools(raw, tools));
    const context = contextEdits(request, session, opts.userContext);
    edits.push(...context.edits);
    const body = edits.length > 0 ? splice(raw, edits) : raw;
    for (const [hash, entry] of fresh) session.memo.set(hash, entry);
    if (wantTool) session.retrieveToolAdded = true;
    if (context.remember) session.userContext.set(...context.remember);
    return {
      body,
      request,
      session,
      query,
      outputs,
      compressed,
      retrievalKeys,
      retrieveToolAdded: wantTool,
      proxyToolsAdded: proxyTools.map((t) => t.name),
      contextAdded: context.remember !== undefined,
      ...(overBudget ? { failedOpen: `compression passed its ${budget} ms budget; new outputs forwarded as they are` } : {}),
      ms: performance.now() - started,
    };
  } catch (err) {
    return failOpen(`compression failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Replayed context of earlier turns, and `text` for the newest turn unless it has context already. */
function contextEdits(request: NeutralRequest, session: SessionState, text: string | undefined): ReturnType<typeof userContextEdits> {
  const turn = text ? newestUserTurn(request, session) : undefined;
  return userContextEdits(request, session, turn && !turn.remembered && text ? { part: turn.part, text } : undefined);
}

/**
 * Token counts of the compressed outputs (before, after), counted once per memo entry. The
 * proxy calls this after the request is on its way upstream, off the critical path.
 * `savedFresh` is the part of the saving on outputs compressed in this request (the rest is
 * replayed from earlier requests, which a provider's prompt cache would mostly have served).
 */
export function countCompressedTokens(result: RequestCompression): {
  before: number;
  after: number;
  savedFresh: number;
  byKind: Map<ContentKind, { before: number; after: number }>;
} {
  let before = 0;
  let after = 0;
  let savedFresh = 0;
  const byKind = new Map<ContentKind, { before: number; after: number }>();
  for (const c of result.compressed) {
    c.entry.tokensBefore ??= countTokens(c.original);
    c.entry.tokensAfter ??= countTokens(c.entry.compressed!);
    before += c.entry.tokensBefore;
    after += c.entry.tokensAfter;
    if (!c.replayed) savedFresh += c.entry.tokensBefore - c.entry.tokensAfter;
    const k = byKind.get(c.kind) ?? { before: 0, after: 0 };
    k.before += c.entry.tokensBefore;
    k.after += c.entry.tokensAfter;
    byKind.set(c.kind, k);
  }
  return { before, after, savedFresh, byKind };
}

export interface ToolOutputStat {
  toolUseId: string;
  kind: ContentKind;
  tokensBefore: number;
  tokensAfter: number;
  retrievalKeys: string[];
  ms: number;
  /** The text of this tool output as forwarded. */
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

export interface CompressRequestOptions {
  /** The wire format of the body (default anthropic). */
  provider?: ProviderName;
  query?: string;
  store?: CcrStore;
  /** Add the headroom_retrieve tool as the proxy does (default 'never'). */
  retrieveTool?: RetrieveToolMode;
}

/**
 * Library form: compress every tool output of one request body (raw JSON text or a parsed
 * object; the result has the same form) with token counts per output. Throws SyntaxError
 * when a raw body is not valid JSON.
 */
export function compressRequest<B extends string | object>(body: B, opts: CompressRequestOptions = {}): RequestCompressResult<B> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const r = compressRequestBody(adapterFor(opts.provider ?? 'anthropic'), raw, {
    ...(opts.query !== undefined ? { query: opts.query } : {}),
    ...(opts.store ? { store: opts.store } : {}),
    retrieveTool: opts.retrieveTool ?? 'never',
    budgetMs: Number.POSITIVE_INFINITY,
  });
  if (r.failedOpen) throw new Error(r.failedOpen);
  const toolOutputs = r.outputs.map((o): ToolOutputStat => {
    const tokensBefore = countTokens(o.original);
    const text = o.entry.compressed ?? o.original;
    return { toolUseId: o.id, kind: o.kind, tokensBefore, tokensAfter: text === o.original ? tokensBefore : countTokens(text), retrievalKeys: o.entry.retrievalKeys, ms: o.ms, text };
  });
  return {
    body: (typeof body === 'string' ? r.body : JSON.parse(r.body)) as B,
    query: r.query,
    toolOutputs,
    tokensBefore: toolOutputs.reduce((a, t) => a + t.tokensBefore, 0),
    tokensAfter: toolOutputs.reduce((a, t) => a + t.tokensAfter, 0),
    retrievalKeys: r.retrievalKeys,
  };
}
