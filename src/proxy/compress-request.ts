import type { CcrStore } from '../compress/ccr-store.js';
import { DEFAULT_BUDGET_MS } from './budget-clock.js';
import { stripBom } from '../utf8-bom.js';
import { compressCore } from '../compress/compress-text.js';
import { type InjectedContext, latestUserText, type NeutralRequest, NO_INJECTED_CONTEXT, type Replacement, type Span, splice, stepsOfOutputs, toolOutputs } from '../wire/index.js';
import { countTokens } from '../compress/tokens.js';
import type { Step } from '../compress/focus.js';
import type { ContentKind } from '../compress/types.js';
import { adapterFor, type ProviderAdapter, type ProviderName, type ProxyToolSpec } from '../providers/index.js';
import { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME } from './retrieval.js';
import { foldedRepeat, occurrences } from './repeats.js';
import { ConversationState, type MemoEntry } from './conversation-state.js';
import { newestUserTurn, notUserWords, userContextEdits } from './user-context.js';
import type { RetrieveToolMode } from './retrieve-tool-mode.js';

export interface RequestCompressOptions {
  /**
   * Cache-safety state of the conversation, or a function that finds it from the request;
   * a fresh one (no memory) when omitted.
   */
  session?: ConversationState | ((request: NeutralRequest) => ConversationState);
  /** Relevance query; defaults to the latest user text of the request. */
  query?: string;
  /**
   * Blocks the agents add to user turns (src/agents names them): not part of the default query,
   * and never where recalled context goes. Default: none, every user text is the user's.
   */
  injectedContext?: InjectedContext;
  store?: CcrStore;
  /** Past this many milliseconds the original request is forwarded instead (fail-open). */
  budgetMs?: number;
  /** How much compression keeps next to its size policy (default 1; see CompressOptions.keep). */
  keep?: number;
  /** When to add the headroom_retrieve tool (default 'always'); see RetrieveToolMode. */
  retrieveTool?: RetrieveToolMode;
  /** How else the model can get an original back; see RetrievalElsewhere. Default 'none'. */
  retrievalElsewhere?: RetrievalElsewhere;
  /**
   * False for a request that only counts tokens: nothing is added to it, and its outputs are
   * compressed as they would be in the same request for the model (so the count matches).
   */
  addTools?: boolean;
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
 * - 'never': never added; markers go only where the model can retrieve another way (the
 *   `headroom` command in its shell, headroom's MCP server), see RetrievalElsewhere.
 * A request without tools of its own (a title or routing call asking for JSON) never gets it.
 */
export type { RetrieveToolMode };

/**
 * A marker is only worth sending when the model can act on it. Besides a retrieve tool in the
 * request itself:
 * - 'none': no other way; a request that carries no retrieve tool gets no markers.
 * - 'shell': the agent's shell has the `headroom` command (`wrap` puts it on the PATH), so a
 *   request that declares tools of its own may carry markers (`headroom retrieve KEY`).
 * - 'caller': whoever compresses handles retrieval itself (the library form).
 */
export type RetrievalElsewhere = 'none' | 'shell' | 'caller';

/** A tool of the client's that answers headroom_retrieve (ours by its own name, or through headroom's MCP server, e.g. `mcp__headroom__headroom_retrieve`). */
const CLIENT_RETRIEVE_RE = new RegExp(`(?:^|__)${RETRIEVE_TOOL_NAME}$`);

/**
 * Whether the model of this request can get back what a marker leaves out: the request
 * declares a retrieve tool, the proxy adds one (any mode but 'never' adds it to a request with
 * tools of its own before it carries a marker), or the model can reach it another way.
 */
function canRetrieve(mode: RetrieveToolMode, elsewhere: RetrievalElsewhere, request: NeutralRequest): boolean {
  if (elsewhere === 'caller' || request.tools.some((t) => CLIENT_RETRIEVE_RE.test(t))) return true;
  if (request.tools.length === 0) return false;
  return mode !== 'never' || elsewhere === 'shell';
}

function wantsRetrieveTool(mode: RetrieveToolMode, request: NeutralRequest, session: ConversationState, hasMarkers: boolean): boolean {
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
  session: ConversationState;
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
  /**
   * The model of this request can get originals back (see canRetrieve). When false, no output
   * is compressed with markers: outputs go as they are, or as the session forwarded them before
   * when that was without markers.
   */
  retrievable: boolean;
  /** Why the original was forwarded instead, when compression failed or ran out of time. */
  failedOpen?: string;
  /** Why outputs went as they came because the store could not keep their originals (also in failedOpen). */
  unstored?: string;
  ms: number;
}

export { DEFAULT_BUDGET_MS };

/**
 * Compress the tool outputs of a raw request body in the provider's format, cache-safely:
 * outputs the session already forwarded are replayed exactly as forwarded, new ones are
 * compressed once and remembered. Untouched bytes stay identical (edits are splices). Throws
 * SyntaxError only when the body is not valid JSON for the adapter; any other failure, or
 * running past the budget, forwards the original body (and remembers its outputs as
 * forwarded uncompressed). An output whose original the store could not write goes as it came
 * (no marker may name a key that was not stored), and the request counts as failed open. Runs
 * on the caller's thread: the proxy uses compressRequestOffThread.
 */
export function compressRequestBody(adapter: ProviderAdapter, raw: string, opts: RequestCompressOptions = {}): RequestCompression {
  const state = beginRequest(adapter, raw, opts);
  const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;
  let overBudget = false;
  let unstored: string | undefined;
  try {
    const steps = stepsOfOutputs(state.request);
    const outputs = toolOutputs(state.request);
    const copies = occurrences(outputs.map((o) => o.text));
    for (const [index, out] of outputs.entries()) {
      const { key: hash, repeatOf } = copies[index]!;
      if (repeatOf !== undefined) {
        state.outputs.push(repeatResult(state, out.id, out.text, hash, steps[repeatOf]!, state.outputs[repeatOf]!.kind));
        state.spans.push(out.span);
        continue;
      }
      let entry = state.session.memo.get(hash) ?? state.fresh.get(hash);
      // Without a way to retrieve, an output goes whole unless the session sent it without markers before.
      if (!state.retrievable && (entry === undefined || entry.retrievalKeys.length > 0)) {
        state.outputs.push(asItIs(out.id, out.text, entry));
        state.spans.push(out.span);
        continue;
      }
      const replayed = entry !== undefined && !state.fresh.has(hash);
      const t0 = performance.now();
      if (!entry) {
        // Past the budget, new outputs go as they are (and stay so); replays still apply.
        overBudget ||= t0 - state.started > budget;
        // As past the budget when the cache guard stopped compression in this conversation.
        const core = overBudget || state.session.guard.stopped !== undefined
          ? undefined
          : compressCore(out.text, { query: state.query, step: steps[index]!, ...(opts.store ? { store: opts.store } : {}), ...(opts.keep ? { keep: opts.keep } : {}) });
        unstored ??= core?.failedOpen;
        entry = { compressed: core && core.text !== out.text ? core.text : undefined, kind: core?.kind ?? 'prose', retrievalKeys: core?.retrievalKeys ?? [] };
        state.fresh.set(hash, entry);
      }
      state.outputs.push({ id: out.id, kind: entry.kind, replayed, entry, original: out.text, ms: replayed ? 0 : performance.now() - t0 });
      state.spans.push(out.span);
    }
    return finishRequest(adapter, raw, state, opts, {
      ...failedOpenReason(overBudget ? `compression passed its ${budget} ms budget; new outputs forwarded as they are` : undefined, unstored),
      ...(unstored ? { unstored } : {}),
    });
  } catch (err) {
    return failOpen(raw, state, `compression failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A request on its way through compression: what is known before the outputs are compressed, and what they became. */
export interface RequestState {
  request: NeutralRequest;
  session: ConversationState;
  query: string;
  started: number;
  /** Memo entries decided by this request (new outputs), by hash of the original. */
  fresh: Map<string, MemoEntry>;
  outputs: OutputResult[];
  /** Where each output's text is in the raw body. */
  spans: Span[];
  /** See RequestCompression.retrievable. */
  retrievable: boolean;
}

/** Reads the request (unless given) and finds its session and query. Throws SyntaxError on a body the adapter cannot read. */
export function beginRequest(adapter: ProviderAdapter, raw: string, opts: RequestCompressOptions): RequestState {
  const started = performance.now();
  const request = opts.request ?? adapter.read(raw);
  const session = typeof opts.session === 'function' ? opts.session(request) : (opts.session ?? new ConversationState('one-off'));
  const query = opts.query ?? latestUserText(request, notUserWords(opts.injectedContext ?? NO_INJECTED_CONTEXT));
  const retrievable = canRetrieve(opts.retrieveTool ?? 'always', opts.retrievalElsewhere ?? 'none', request);
  return { request, session, query, started, fresh: new Map(), outputs: [], spans: [], retrievable };
}

/** A later copy of an output the request holds: folded, or as its first forwarding decided. */
export function repeatResult(state: RequestState, id: string, original: string, key: string, firstStep: Step, kind: ContentKind): OutputResult {
  const remembered = state.session.memo.get(key);
  const replayed = remembered !== undefined && !state.fresh.has(key);
  let entry = remembered ?? state.fresh.get(key);
  if (!entry) {
    entry = foldedRepeat(original, firstStep, kind);
    state.fresh.set(key, entry);
  }
  return { id, kind: entry.kind, replayed, entry, original, ms: 0 };
}

/** An output going as it came because the model could not retrieve what a marker leaves out. */
function asItIs(id: string, original: string, remembered: MemoEntry | undefined): OutputResult {
  const kind = remembered?.kind ?? 'prose';
  return { id, kind, replayed: false, entry: { compressed: undefined, kind, retrievalKeys: [] }, original, ms: 0 };
}

/**
 * Splices the outputs' forwarded texts, the proxy's tools and the recalled context into the
 * body and remembers what this request decided in its session.
 */
export function finishRequest(
  adapter: ProviderAdapter,
  raw: string,
  state: RequestState,
  opts: RequestCompressOptions,
  failure: Pick<RequestCompression, 'failedOpen' | 'unstored'> = {},
): RequestCompression {
  const { request, session, outputs } = state;
  const edits: Replacement[] = [];
  outputs.forEach((o, i) => {
    if (o.entry.compressed !== undefined) edits.push({ ...state.spans[i]!, text: JSON.stringify(o.entry.compressed) });
  });
  const compressed = outputs.filter((o) => o.entry.compressed !== undefined);
  const retrievalKeys = [...new Set(compressed.flatMap((c) => c.entry.retrievalKeys))];
  const addTools = opts.addTools ?? true;
  const wantTool = addTools && wantsRetrieveTool(opts.retrieveTool ?? 'always', request, session, retrievalKeys.length > 0);
  const proxyTools = addTools && request.tools.length > 0 ? (opts.proxyTools ?? []).filter((t) => t.name !== RETRIEVE_TOOL_NAME && !request.tools.includes(t.name)) : [];
  const tools = wantTool ? [RETRIEVE_TOOL, ...proxyTools] : proxyTools;
  if (tools.length > 0) edits.push(adapter.addTools(raw, tools));
  const context = contextEdits(request, session, opts.userContext, opts.injectedContext ?? NO_INJECTED_CONTEXT);
  edits.push(...context.edits);
  const body = edits.length > 0 ? splice(raw, edits) : raw;
  for (const [hash, entry] of state.fresh) session.memo.set(hash, entry);
  if (wantTool) session.retrieveToolAdded = true;
  if (context.remember) session.userContext.set(...context.remember);
  return {
    body,
    request,
    session,
    query: state.query,
    outputs,
    compressed,
    retrievalKeys,
    retrieveToolAdded: wantTool,
    proxyToolsAdded: proxyTools.map((t) => t.name),
    contextAdded: context.remember !== undefined,
    retrievable: state.retrievable,
    ...failure,
    ms: performance.now() - state.started,
  };
}

/** The original body goes upstream; the new outputs are remembered as forwarded uncompressed. */
export function failOpen(raw: string, state: RequestState, reason: string): RequestCompression {
  for (const [hash, entry] of state.fresh) state.session.memo.set(hash, { ...entry, compressed: undefined, retrievalKeys: [] });
  return {
    body: raw,
    request: state.request,
    session: state.session,
    query: state.query,
    outputs: [],
    compressed: [],
    retrievalKeys: [],
    retrieveToolAdded: false,
    proxyToolsAdded: [],
    contextAdded: false,
    retrievable: state.retrievable,
    failedOpen: reason,
    ms: performance.now() - state.started,
  };
}

/** Why some output went as it came although it could have been compressed, when one did. */
export function failedOpenReason(...reasons: Array<string | undefined>): { failedOpen?: string } {
  const given = reasons.filter((r): r is string => r !== undefined);
  return given.length > 0 ? { failedOpen: given.join('; ') } : {};
}

/** Replayed context of earlier turns, and `text` for the newest turn unless it has context already. */
function contextEdits(request: NeutralRequest, session: ConversationState, text: string | undefined, agents: InjectedContext): ReturnType<typeof userContextEdits> {
  const turn = text ? newestUserTurn(request, session, agents) : undefined;
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
  /** Why outputs were left as they came although they compressed: the store could not keep their originals. */
  unstored?: string;
}

export interface CompressRequestOptions {
  /** The wire format of the body (default anthropic). */
  provider?: ProviderName;
  query?: string;
  /** Blocks agents add to user turns, left out of the default query (the library entry passes every agent's). */
  injectedContext?: InjectedContext;
  store?: CcrStore;
  /** Add the headroom_retrieve tool as the proxy does (default 'never'). */
  /** How much compression keeps next to its size policy (default 1). */
  keep?: number;
  retrieveTool?: RetrieveToolMode;
}

/**
 * Library form: compress every tool output of one request body (raw JSON text, its UTF-8 bytes
 * as `fs.readFileSync` returns them, or a parsed object; the result has the same form) with
 * token counts per output. Throws SyntaxError when a raw body is not valid JSON, TypeError
 * when bytes are not UTF-8 or the body is some other binary form.
 */
export function compressRequest<B extends string | Uint8Array | object>(body: B, opts: CompressRequestOptions = {}): RequestCompressResult<B> {
  const raw = typeof body === 'string' ? body : body instanceof Uint8Array ? textOfBytes(body) : JSON.stringify(binaryRefused(body));
  const r = compressRequestBody(adapterFor(opts.provider ?? 'anthropic'), raw, {
    ...(opts.query !== undefined ? { query: opts.query } : {}),
    ...(opts.injectedContext ? { injectedContext: opts.injectedContext } : {}),
    ...(opts.store ? { store: opts.store } : {}),
    retrieveTool: opts.retrieveTool ?? 'never',
    // The caller gets the keys and the originals are in the store: retrieval is theirs to offer.
    retrievalElsewhere: 'caller',
    budgetMs: Number.POSITIVE_INFINITY,
    ...(opts.keep ? { keep: opts.keep } : {}),
  });
  if (r.failedOpen !== undefined && r.failedOpen !== r.unstored) throw new Error(r.failedOpen);
  const toolOutputs = r.outputs.map((o): ToolOutputStat => {
    const tokensBefore = countTokens(o.original);
    const text = o.entry.compressed ?? o.original;
    return { toolUseId: o.id, kind: o.kind, tokensBefore, tokensAfter: text === o.original ? tokensBefore : countTokens(text), retrievalKeys: o.entry.retrievalKeys, ms: o.ms, text };
  });
  return {
    body: (typeof body === 'string' ? r.body : body instanceof Uint8Array ? bytesLike(body, r.body) : JSON.parse(r.body)) as B,
    query: r.query,
    toolOutputs,
    tokensBefore: toolOutputs.reduce((a, t) => a + t.tokensBefore, 0),
    tokensAfter: toolOutputs.reduce((a, t) => a + t.tokensAfter, 0),
    retrievalKeys: r.retrievalKeys,
    ...(r.unstored ? { unstored: r.unstored } : {}),
  };
}

function textOfBytes(bytes: Uint8Array): string {
  try {
    return stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new TypeError('compressRequest: the body bytes are not UTF-8 text');
  }
}

/** The compressed body as bytes of the caller's kind (a Buffer for a Buffer). */
function bytesLike(given: Uint8Array, text: string): Uint8Array {
  return Buffer.isBuffer(given) ? Buffer.from(text, 'utf8') : new TextEncoder().encode(text);
}

/** A parsed body is a plain value; other binary forms (ArrayBuffer, DataView, typed arrays) would serialize to garbage. */
function binaryRefused<B>(body: B): B {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    throw new TypeError('compressRequest takes a JSON string, its UTF-8 bytes (Buffer or Uint8Array), or a parsed object');
  }
  return body;
}
