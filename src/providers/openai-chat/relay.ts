import { eventJson, formatSse, isObject, type Json, type SseEvent } from '../../wire/index.js';
import type { Round, StreamEnding, StreamRelay } from '../types.js';
import { TEXT_FIELDS } from './calls.js';
import { finishReason, roundOf } from './response.js';
import { sumUsage } from './usage.js';

/**
 * Relays a Chat Completions chunk stream: proxy calls hidden, tool-call indices renumbered, the
 * finish and usage chunks and `[DONE]` held until the loop ends.
 */
export class OpenAiChatRelay implements StreamRelay {
  private round = 0;
  /** The first round's completion id: every chunk the client gets carries it. */
  private streamId: unknown;
  private nextClientIndex = 0;
  private clientCalls = 0;
  private calls = new Map<number, CallState>();
  private text: Partial<Record<(typeof TEXT_FIELDS)[number], string>> = {};
  private usage: Json | undefined;
  private endedUsages: Json[] = [];
  private ended = false;
  private held: Held[] = [];
  /** This round's upstream said it finished: a finish_reason or `[DONE]`. */
  private finished = false;
  /** This round's upstream sent an error chunk. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.calls = new Map();
    this.text = {};
    this.usage = undefined;
    this.ended = false;
    this.held = [];
    this.finished = false;
    this.upstreamFailed = false;
  }

  push(ev: SseEvent): string {
    if (ev.data.trim() === '[DONE]') {
      this.finished = true;
      this.held.push({ raw: ev.raw });
      return '';
    }
    const chunk = eventJson(ev);
    if (chunk?.error != null) this.upstreamFailed = true;
    if (!chunk || chunk.error !== undefined) return ev.raw;
    if (this.round === 0 && this.streamId === undefined) this.streamId = chunk.id;
    // Usage counts are cumulative within a round: the latest wins.
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : [];
    if (choices.length === 0) {
      if (isObject(chunk.usage)) {
        this.held.push({ raw: this.round === 0 ? ev.raw : undefined, chunk: this.withStreamId(chunk) });
        return '';
      }
      // Opening metadata (Azure's prompt_filter_results): the client had round 0's.
      return this.round === 0 ? ev.raw : '';
    }
    const out = this.withStreamId(chunk);
    let changed = out !== chunk;
    const at = choices.findIndex((c) => isObject(c) && (c.index ?? 0) === 0);
    const choice = choices[at];
    if (!isObject(choice)) return changed ? formatSse(JSON.stringify(out)) : ev.raw;
    const delta = this.relayDelta(isObject(choice.delta) ? choice.delta : {});
    changed ||= delta.changed;
    const withChoice = (c: Json): Json => ({ ...out, choices: choices.map((x, i) => (i === at ? c : x)) });
    if (choice.finish_reason == null) {
      if (!changed) return ev.raw;
      return delta.empty && choices.length === 1 ? '' : formatSse(JSON.stringify(withChoice({ ...choice, delta: delta.value })));
    }
    // The finish chunk waits for the loop's outcome; content it carries goes out now.
    this.finished = true;
    const blank = isBlank(choice.delta);
    this.held.push({ raw: changed || !blank ? undefined : ev.raw, chunk: { ...out, choices: [{ ...choice, delta: {} }] } });
    if (delta.empty) return '';
    const { usage: _heldWithFinish, ...rest } = withChoice({ ...choice, delta: delta.value, finish_reason: null });
    return formatSse(JSON.stringify(rest));
  }

  /** The chunk with the first round's id (rounds > 0 come with ids of their own). */
  private withStreamId(chunk: Json): Json {
    if (this.round === 0 || typeof this.streamId !== 'string' || chunk.id === this.streamId) return chunk;
    return { ...chunk, id: this.streamId };
  }

  /** Records a delta and returns what the client sees of it. */
  private relayDelta(delta: Json): { value: Json; changed: boolean; empty: boolean } {
    for (const field of TEXT_FIELDS) {
      const piece = delta[field];
      if (typeof piece === 'string') this.text[field] = (this.text[field] ?? '') + piece;
    }
    const value = { ...delta };
    let changed = false;
    if (this.round > 0 && 'role' in value) {
      // The client already has the opening `role` delta from round 0.
      delete value.role;
      changed = true;
    }
    if (Array.isArray(delta.tool_calls)) {
      const visible: Json[] = [];
      for (const piece of delta.tool_calls.filter(isObject)) {
        const state = this.track(piece);
        if (state.clientIndex === undefined) changed = true;
        else if (state.clientIndex === piece.index) visible.push(piece);
        else {
          visible.push({ ...piece, index: state.clientIndex });
          changed = true;
        }
      }
      if (visible.length > 0) value.tool_calls = visible;
      else delete value.tool_calls;
    }
    return { value, changed, empty: isBlank(value) };
  }

  /**
   * Adds one tool-call piece to its call. The name comes on a call's first piece, so that is
   * where a proxy call is recognised; its later pieces carry only the index.
   */
  private track(piece: Json): CallState {
    const index = typeof piece.index === 'number' ? piece.index : this.calls.size;
    let state = this.calls.get(index);
    const payloadKey = piece.type === 'custom' || isObject(piece.custom) ? 'custom' : 'function';
    const payload = isObject(piece[payloadKey]) ? (piece[payloadKey] as Json) : {};
    if (!state) {
      const { index: _index, id, type, function: _fn, custom: _custom, ...extra } = piece;
      const hidden = this.names.has(String(payload.name));
      state = { clientIndex: hidden ? undefined : this.nextClientIndex++, call: { id, type: type ?? 'function', [payloadKey]: {}, ...extra } };
      if (!hidden) this.clientCalls++;
      this.calls.set(index, state);
    }
    if (typeof piece.id === 'string') state.call.id = piece.id;
    const built = state.call[payloadKey] as Json;
    for (const [key, value] of Object.entries(payload)) {
      // Names arrive whole; arguments (and custom tools' input) arrive in pieces.
      if (key === 'name' || typeof value !== 'string') built[key] = value;
      else built[key] = String(built[key] ?? '') + value;
    }
    return state;
  }

  endRound(): Round {
    const assistant: Json = { role: 'assistant', content: this.text.content || null };
    for (const field of TEXT_FIELDS) if (field !== 'content' && this.text[field]) assistant[field] = this.text[field];
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, s]) => s.call);
    if (calls.length > 0) assistant.tool_calls = calls;
    if (!this.ended && this.usage) this.endedUsages.push(this.usage);
    this.ended = true;
    return roundOf(assistant, this.usage, this.names);
  }

  finish(retrievalCut: boolean): string {
    const usages = this.ended || !this.usage ? this.endedUsages : [...this.endedUsages, this.usage];
    let out = '';
    for (const held of this.held) {
      if (!held.chunk) {
        out += held.raw ?? '';
        continue;
      }
      let chunk = held.chunk;
      const choice = (chunk.choices as unknown[])[0];
      // After a cut the last round asked only for proxy calls, so no call is left to run.
      const finish = isObject(choice) ? finishReason(choice.finish_reason, retrievalCut ? 0 : this.clientCalls) : undefined;
      if (isObject(choice) && finish !== choice.finish_reason) chunk = { ...chunk, choices: [{ ...choice, finish_reason: finish }] };
      if (this.round > 0 && isObject(chunk.usage)) chunk = { ...chunk, usage: sumUsage(usages) };
      out += chunk === held.chunk && held.raw !== undefined ? held.raw : formatSse(JSON.stringify(chunk));
    }
    return out;
  }

  error(message: string): string {
    return formatSse(JSON.stringify({ error: { message, type: 'api_error', param: null, code: null } }));
  }

  /** Finished once a finish_reason came: some compatible servers send no `[DONE]` after it. */
  ending(): StreamEnding {
    return this.finished ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }
}

/** One tool call of the current round, built up from its stream pieces. */
interface CallState {
  /** The index the client sees; undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  /** The call in request shape: `{id, type, function: {name, arguments}}`. */
  call: Json;
}

/** A closing event held until finish(): a finish or usage chunk, or `[DONE]`. */
interface Held {
  /** The event as received; undefined when the chunk was changed and must be re-serialised. */
  raw: string | undefined;
  chunk?: Json;
}

/** A delta with nothing in it for the client (null fields and empty strings only). */
function isBlank(delta: unknown): boolean {
  return !isObject(delta) || Object.values(delta).every((v) => v == null || v === '');
}
