import { countTokens } from '../compress/tokens.js';
import type { SessionEvent } from '../agents/events.js';

type ResultEvent = Extract<SessionEvent, { kind: 'result' }>;

export type FailureKind = 'error' | 'exit' | 'rejection' | 'interrupt';

/** How a tool result failed, or undefined when it succeeded: a non-zero exit, or an error the agent flagged. */
export function resultFailure(result: ResultEvent): 'error' | 'exit' | undefined {
  if (result.exitCode !== undefined && result.exitCode !== 0) return 'exit';
  if (result.isError) return 'error';
  return undefined;
}

/** Characters of an output whose tokens are counted; a longer output is estimated from them, to keep mining fast. */
const TOKEN_SAMPLE_CHARS = 1000;

/**
 * Tokens a result cost: counted on the head of the kept output and scaled up to `outputChars`, the
 * output's whole length (the reader may have cut it; the agent showed its model up to that much).
 */
export function outputTokens(result: ResultEvent): number {
  const kept = result.output.length;
  if (kept === 0) return 0;
  const sample = kept > TOKEN_SAMPLE_CHARS ? result.output.slice(0, TOKEN_SAMPLE_CHARS) : result.output;
  const tokens = countTokens(sample);
  const whole = Math.max(kept, result.outputChars);
  return whole === sample.length ? tokens : Math.round((tokens * whole) / sample.length);
}

/** Counts failing calls per template in one session, to report the ones retried three times or more. */
export class LoopCounter {
  private readonly counts = new Map<string, { count: number; tokens: number }>();

  constructor(private readonly limit = 200) {}

  /** Records one failure of `template`; returns its count and tokens so far in the session. */
  add(template: string, tokens: number): { count: number; tokens: number } {
    const entry = this.counts.get(template) ?? { count: 0, tokens: 0 };
    entry.count++;
    entry.tokens += tokens;
    this.counts.delete(template);
    this.counts.set(template, entry);
    // Bounded: the templates failing least recently make room.
    if (this.counts.size > this.limit) this.counts.delete(this.counts.keys().next().value as string);
    return entry;
  }
}

/** How many failures of the same call in one session make a loop. */
export const LOOP_COUNT = 3;
