import { addUsage, eventJson, formatSse, type Json, NO_USAGE, type SseEvent, type Usage } from '../../wire/index.js';
import type { Round, StreamEnding, StreamRelay } from '../types.js';
import { callsOf, isProxyBlock } from './response.js';
import { usageFrom, usageJson } from './usage.js';

/**
 * Relays a Messages event stream: proxy-call blocks hidden, block indices renumbered across rounds,
 * the closing `message_delta`/`message_stop` held until the loop ends.
 */
export class AnthropicRelay implements StreamRelay {
  private round = 0;
  private nextIndex = 0;
  private blocks = new Map<number, BlockState>();
  private startUsage: Usage = NO_USAGE;
  private deltaUsage: Json | undefined;
  private roundsUsage: Usage = NO_USAGE;
  private heldDelta: SseEvent | undefined;
  private heldDeltaJson: Json | undefined;
  private heldStop: SseEvent | undefined;
  private changed = false;
  private clientToolUse = false;
  /** This round's upstream sent an `error` event. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.blocks = new Map();
    this.startUsage = NO_USAGE;
    this.deltaUsage = undefined;
    this.heldDelta = undefined;
    this.heldStop = undefined;
    this.clientToolUse = false;
    this.upstreamFailed = false;
    if (n > 0) this.changed = true;
  }

  push(ev: SseEvent): string {
    const data = eventJson(ev);
    if (!data) return ev.raw;
    switch (data.type) {
      case 'message_start':
        this.startUsage = usageFrom((data.message as Json | undefined)?.usage);
        return this.round === 0 ? ev.raw : '';
      case 'content_block_start': {
        const index = Number(data.index);
        const block = { ...((data.content_block ?? {}) as Json) };
        const hidden = isProxyBlock(block, this.names);
        const state: BlockState = { clientIndex: hidden ? undefined : this.nextIndex++, block, partialJson: '' };
        this.blocks.set(index, state);
        if (block.type === 'tool_use' && !hidden) this.clientToolUse = true;
        return this.forBlock(ev, data, state, index);
      }
      case 'content_block_delta': {
        const state = this.blocks.get(Number(data.index));
        if (!state) return ev.raw;
        applyDelta(state, (data.delta ?? {}) as Json);
        return this.forBlock(ev, data, state, Number(data.index));
      }
      case 'content_block_stop': {
        const state = this.blocks.get(Number(data.index));
        return state ? this.forBlock(ev, data, state, Number(data.index)) : ev.raw;
      }
      case 'message_delta':
        this.heldDelta = ev;
        this.heldDeltaJson = data;
        this.deltaUsage = data.usage as Json | undefined;
        return '';
      case 'message_stop':
        this.heldStop = ev;
        return '';
      case 'error':
        this.upstreamFailed = true;
        return ev.raw;
      default:
        return ev.raw;
    }
  }

  /** An event of one content block: hidden, relayed as it came, or with its index renumbered. */
  private forBlock(ev: SseEvent, data: Json, state: BlockState, upstreamIndex: number): string {
    if (state.clientIndex === undefined) {
      this.changed = true;
      return '';
    }
    if (state.clientIndex === upstreamIndex) return ev.raw;
    this.changed = true;
    return formatSse(JSON.stringify({ ...data, index: state.clientIndex }), ev.event);
  }

  endRound(): Round {
    const content = [...this.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => finishBlock(s));
    const d = usageFrom(this.deltaUsage);
    const present = (k: string): boolean => this.deltaUsage !== undefined && typeof this.deltaUsage[k] === 'number';
    const usage: Usage = {
      input: present('input_tokens') ? d.input : this.startUsage.input,
      output: present('output_tokens') ? d.output : this.startUsage.output,
      cacheRead: present('cache_read_input_tokens') ? d.cacheRead : this.startUsage.cacheRead,
      cacheWrite: present('cache_creation_input_tokens') ? d.cacheWrite : this.startUsage.cacheWrite,
    };
    this.roundsUsage = addUsage(this.roundsUsage, usage);
    return { assistant: content, ...callsOf(content, this.names), usage };
  }

  ending(): StreamEnding {
    return this.heldStop ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  finish(retrievalCut: boolean): string {
    // Called after a round that ended with message_stop: the one the upstream sent closes the stream.
    const stopRaw = this.heldStop?.raw ?? '';
    if (!this.heldDelta || !this.heldDeltaJson) return stopRaw;
    if (!this.changed && !retrievalCut) return this.heldDelta.raw + stopRaw;
    const delta = { ...((this.heldDeltaJson.delta ?? {}) as Json) };
    if (retrievalCut || (delta.stop_reason === 'tool_use' && !this.clientToolUse)) delta.stop_reason = 'end_turn';
    const usage = { ...(this.deltaUsage ?? {}), ...usageJson(this.roundsUsage) };
    return formatSse(JSON.stringify({ ...this.heldDeltaJson, delta, usage }), this.heldDelta.event) + stopRaw;
  }

  error(message: string): string {
    return formatSse(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }), 'error');
  }
}

interface BlockState {
  /** Index the client sees, or undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  block: Json;
  partialJson: string;
}

/** Rebuilds a content block from its start and delta events (for the continuation). */
function applyDelta(state: BlockState, delta: Json): void {
  const b = state.block;
  switch (delta.type) {
    case 'text_delta':
      b.text = String(b.text ?? '') + String(delta.text ?? '');
      break;
    case 'thinking_delta':
      b.thinking = String(b.thinking ?? '') + String(delta.thinking ?? '');
      break;
    case 'signature_delta':
      b.signature = delta.signature;
      break;
    case 'input_json_delta':
      state.partialJson += String(delta.partial_json ?? '');
      break;
    case 'citations_delta':
      b.citations = [...(Array.isArray(b.citations) ? b.citations : []), delta.citation];
      break;
  }
}

function finishBlock(state: BlockState): Json {
  const b = state.block;
  if (b.type === 'tool_use' || b.type === 'server_tool_use') {
    try {
      return { ...b, input: state.partialJson.trim() === '' ? (b.input ?? {}) : JSON.parse(state.partialJson) };
    } catch {
      return { ...b, input: {} };
    }
  }
  return b;
}
