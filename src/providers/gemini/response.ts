import { isObject } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { Round } from '../types.js';
import { callsOf, firstCandidate, partsOf, VisibleParts, withParts } from './parts.js';
import { sumUsageMetadata, usageFrom } from './usage.js';

/** A non-streamed generateContent response as a Round. */
export function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = isObject(body) ? body : {};
  const parts = partsOf(firstCandidate(b));
  return { assistant: { role: 'model', parts }, ...callsOf(parts, names), usage: usageFrom(b.usageMetadata) };
}

export function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const parts = rounds.flatMap((r) => new VisibleParts(names).filter(partsOf(firstCandidate(r))).visible);
  const merged = withParts(last, parts, retrievalCut ? 'stop' : 'keep');
  const usage = sumUsageMetadata(rounds.map((r) => r.usageMetadata));
  if (usage) merged.usageMetadata = usage;
  // One response to the client: it keeps the id the first round answered with.
  if (typeof first.responseId === 'string') merged.responseId = first.responseId;
  return merged;
}
