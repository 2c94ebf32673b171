import { eventJson, isObject, type Json, objects, type SseEvent } from '../../wire/index.js';
import type { Round, StreamEnding, StreamRelay } from '../types.js';
import { callsOf, firstCandidate, isProxyPart, partsOf, VisibleParts, withParts } from './parts.js';
import { sumUsageMetadata, usageFrom } from './usage.js';

/**
 * Each Gemini SSE chunk is a whole GenerateContentResponse with the round's next parts; there
 * are no opening events or indices. The relay hides proxy calls, holds the chunk with the
 * finishReason until finish(), and gives every round the first round's responseId.
 */
export class GeminiRelay implements StreamRelay {
  private round = 0;
  /** Every part of the current round as received: the model turn a continuation replays. */
  private parts: Json[] = [];
  private visibleParts: VisibleParts;
  /** The latest usageMetadata of each round (Gemini repeats the running totals on each chunk). */
  private usageByRound: Json[] = [];
  private closing: HeldClose | undefined;
  private responseId: string | undefined;
  /** Gemini ends events with CRLF pairs; rewritten events use whatever upstream used. */
  private eventEnd = '\r\n\r\n';
  /** This round's upstream blocked the prompt (promptFeedback.blockReason): its last word, with no finishReason. */
  private blocked = false;
  /** This round's upstream sent an error chunk. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {
    this.visibleParts = new VisibleParts(names);
  }

  beginRound(n: number): void {
    this.round = n;
    this.parts = [];
    this.visibleParts = new VisibleParts(this.names);
    this.closing = undefined;
    this.blocked = false;
    this.upstreamFailed = false;
  }

  push(ev: SseEvent): string {
    const chunk = eventJson(ev);
    if (chunk?.error !== undefined) this.upstreamFailed = true;
    if (!chunk || chunk.error !== undefined) return ev.raw;
    if (isObject(chunk.promptFeedback) && chunk.promptFeedback.blockReason !== undefined) this.blocked = true;
    this.eventEnd = EVENT_END_RE.exec(ev.raw)?.[1] ?? this.eventEnd;
    if (isObject(chunk.usageMetadata)) this.usageByRound[this.round] = chunk.usageMetadata;
    if (this.responseId === undefined && typeof chunk.responseId === 'string') this.responseId = chunk.responseId;
    const candidate = firstCandidate(chunk);
    const parts = partsOf(candidate);
    this.parts.push(...parts);
    const { visible, changed: partsChanged } = this.visibleParts.filter(parts);
    let out = partsChanged ? withParts(chunk, visible) : chunk;
    const relabel = this.responseId !== undefined && chunk.responseId !== undefined && chunk.responseId !== this.responseId;
    if (relabel) out = { ...out, responseId: this.responseId };
    const changed = partsChanged || relabel;
    if (candidate?.finishReason !== undefined) return this.hold(out, ev.raw, changed, visible);
    if (!changed) return ev.raw;
    if (visible.length === 0 && parts.length > 0 && isRoutineOnly(chunk)) return '';
    return this.format(out);
  }

  /**
   * The closing chunk. A round that made proxy calls will probably continue: the client
   * gets the chunk's visible parts now, and its finishReason and usage wait for finish().
   */
  private hold(chunk: Json, raw: string, changed: boolean, visible: Json[]): string {
    if (!this.parts.some((p) => isProxyPart(p, this.names))) {
      this.closing = { chunk, raw, changed };
      return '';
    }
    this.closing = { chunk: withParts(chunk, []), raw, changed: true };
    return visible.length > 0 ? this.format(withParts(chunk, visible, 'strip')) : '';
  }

  endRound(): Round {
    const parts = this.parts;
    return { assistant: { role: 'model', parts }, ...callsOf(parts, this.names), usage: usageFrom(this.usageByRound[this.round]) };
  }

  finish(retrievalCut: boolean): string {
    const held = this.closing;
    this.closing = undefined;
    if (!held) return '';
    if (this.round === 0 && !held.changed && !retrievalCut) return held.raw;
    const chunk = retrievalCut ? withParts(held.chunk, partsOf(firstCandidate(held.chunk)), 'stop') : { ...held.chunk };
    const usage = sumUsageMetadata(this.usageByRound);
    if (usage) chunk.usageMetadata = usage;
    return this.format(chunk);
  }

  error(message: string): string {
    return this.format({ error: { code: 500, message, status: 'INTERNAL' } });
  }

  /** Done once a chunk with a finishReason came (held in `closing`), or the prompt was blocked. */
  ending(): StreamEnding {
    return this.closing || this.blocked ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  private format(chunk: Json): string {
    return `data: ${JSON.stringify(chunk)}${this.eventEnd}`;
  }
}

const EVENT_END_RE = /(\r\n\r\n|\n\n|\r\r)$/;

/** Members of a chunk that every Gemini chunk repeats; a chunk with only these says nothing. */
const ROUTINE_CHUNK_MEMBERS = new Set(['candidates', 'usageMetadata', 'modelVersion', 'responseId', 'createTime']);
const ROUTINE_CANDIDATE_MEMBERS = new Set(['content', 'index', 'safetyRatings']);

function isRoutineOnly(chunk: Json): boolean {
  if (!Object.keys(chunk).every((k) => ROUTINE_CHUNK_MEMBERS.has(k))) return false;
  const candidates = objects(chunk.candidates);
  return candidates.length <= 1 && candidates.every((c) => Object.keys(c).every((k) => ROUTINE_CANDIDATE_MEMBERS.has(k)));
}

interface HeldClose {
  chunk: Json;
  raw: string;
  changed: boolean;
}
