import { eventJson, formatSse, isObject, type Json, type SseEvent } from '../../wire/index.js';
import type { Round, StreamEnding, StreamRelay } from '../types.js';
import { callsOf, endedNormally, isProxyCall, outputOf } from './response.js';
import { sumCounts, usageFrom } from './usage.js';

/**
 * Relays a Responses event stream: proxy-call items hidden, `output_index` and `sequence_number`
 * renumbered, the terminal event held until the loop ends.
 */
export class ResponsesRelay implements StreamRelay {
  private round = 0;
  /** This round's items by upstream output_index. */
  private items = new Map<number, ItemState>();
  private hiddenIds = new Set<string>();
  /** This round's response from its terminal event. */
  private roundResponse: Json | undefined;
  /** Client-visible items of all rounds, by client output_index. */
  private visible: Json[] = [];
  private nextIndex = 0;
  private nextSeq: number | undefined;
  private firstId: unknown;
  private held: { ev: SseEvent; data: Json } | undefined;
  private usageSum: unknown;
  private changed = false;
  /** This round's upstream sent an `error` event. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.items = new Map();
    this.hiddenIds = new Set();
    this.roundResponse = undefined;
    this.upstreamFailed = false;
    if (n > 0) this.changed = true;
  }

  push(ev: SseEvent): string {
    const data = eventJson(ev);
    if (!data) return ev.raw;
    const type = String(data.type ?? ev.event ?? '');
    if (OPENING_EVENTS.has(type)) {
      if (this.round > 0) return '';
      this.firstId ??= (data.response as Json | undefined)?.id;
      return this.relay(ev, data);
    }
    if (TERMINAL_EVENTS.has(type)) {
      this.held = { ev, data };
      this.roundResponse = isObject(data.response) ? data.response : {};
      this.usageSum = sumCounts(this.usageSum, this.roundResponse.usage);
      return '';
    }
    if (type === 'error') this.upstreamFailed = true;
    if (type === 'response.output_item.added') return this.itemAdded(ev, data);
    const state = typeof data.output_index === 'number' ? this.items.get(data.output_index) : undefined;
    if (!state) {
      if (typeof data.item_id === 'string' && this.hiddenIds.has(data.item_id)) return this.hide();
      return this.relay(ev, data);
    }
    this.track(state, type, data);
    return state.clientIndex === undefined ? this.hide() : this.relay(ev, data, state.clientIndex);
  }

  private itemAdded(ev: SseEvent, data: Json): string {
    const item = isObject(data.item) ? { ...data.item } : {};
    const hidden = isProxyCall(item, this.names);
    const state: ItemState = { clientIndex: hidden ? undefined : this.nextIndex++, item };
    this.items.set(Number(data.output_index), state);
    if (state.clientIndex === undefined) {
      if (typeof item.id === 'string') this.hiddenIds.add(item.id);
      return this.hide();
    }
    this.visible[state.clientIndex] = item;
    return this.relay(ev, data, state.clientIndex);
  }

  /** Keeps the item current so the continuation can replay it even without its done event. */
  private track(state: ItemState, type: string, data: Json): void {
    if (type === 'response.function_call_arguments.delta') state.item.arguments = String(state.item.arguments ?? '') + String(data.delta ?? '');
    else if (type === 'response.function_call_arguments.done' && typeof data.arguments === 'string') state.item.arguments = data.arguments;
    else if (type === 'response.output_item.done' && isObject(data.item)) {
      state.item = data.item;
      if (state.clientIndex !== undefined) this.visible[state.clientIndex] = data.item;
    }
  }

  private hide(): string {
    this.changed = true;
    return '';
  }

  private seq(): number {
    const n = this.nextSeq ?? 0;
    this.nextSeq = n + 1;
    return n;
  }

  /** Relays an event with the client's output_index and sequence_number: its own bytes when they match. */
  private relay(ev: SseEvent, data: Json, outputIndex?: number): string {
    const patch: Json = {};
    if (outputIndex !== undefined && data.output_index !== outputIndex) patch.output_index = outputIndex;
    if (typeof data.sequence_number === 'number') {
      // The client's count continues from the upstream's first number.
      this.nextSeq ??= data.sequence_number;
      const seq = this.seq();
      if (data.sequence_number !== seq) patch.sequence_number = seq;
    }
    if (Object.keys(patch).length === 0) return ev.raw;
    this.changed = true;
    return formatSse(JSON.stringify({ ...data, ...patch }), ev.event);
  }

  endRound(): Round {
    const tracked = [...this.items.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s.item);
    const items = tracked.length > 0 ? tracked : outputOf(this.roundResponse);
    return { assistant: items, ...callsOf(items, this.names), usage: usageFrom(this.roundResponse?.usage) };
  }

  finish(retrievalCut: boolean): string {
    if (!this.held) return '';
    const { ev, data } = this.held;
    if (!this.changed && !retrievalCut) return ev.raw;
    const upstream = isObject(data.response) ? data.response : {};
    const output = this.visible.length > 0 ? this.visible.filter(Boolean) : outputOf(upstream).filter((i) => !isProxyCall(i, this.names));
    let response: Json = { ...upstream, id: this.firstId ?? upstream.id, output, ...(this.usageSum !== undefined ? { usage: this.usageSum } : {}) };
    let type = String(data.type ?? ev.event);
    if (retrievalCut) {
      response = endedNormally(response);
      type = 'response.completed';
    }
    const seq = typeof data.sequence_number === 'number' ? { sequence_number: this.seq() } : {};
    return formatSse(JSON.stringify({ ...data, type, response, ...seq }), ev.event === undefined ? undefined : type);
  }

  /** Done once a response.completed, .incomplete or .failed came. */
  ending(): StreamEnding {
    return this.roundResponse ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  /**
   * Two events: `error` with an `error` object (the openai SDK throws on it) and
   * `response.failed` (Codex reads the failure from it when the stream then ends).
   */
  error(message: string): string {
    const error = { type: 'server_error', code: 'server_error', message, param: null };
    const failed = {
      ...(this.firstId !== undefined ? { id: this.firstId } : {}),
      object: 'response',
      status: 'failed',
      error: { code: 'server_error', message },
      output: this.visible.filter(Boolean),
      usage: this.usageSum ?? null,
    };
    return (
      formatSse(JSON.stringify({ type: 'error', code: error.code, message, param: null, error, sequence_number: this.seq() }), 'error') +
      formatSse(JSON.stringify({ type: 'response.failed', response: failed, sequence_number: this.seq() }), 'response.failed')
    );
  }
}

interface ItemState {
  /** The output_index the client sees, or undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  /** The item as added, updated by argument deltas, replaced by the done event's item. */
  item: Json;
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const OPENING_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);
