import { isObject, type Json, objects } from '../../wire/index.js';
import type { ProxyCall } from '../types.js';

// The parts of a response's first candidate, read the same way by the response reader and the relay.

/** Whether a part is a call of a proxy tool. */
export function isProxyPart(part: Json, names: ReadonlySet<string>): boolean {
  return isObject(part.functionCall) && names.has(String(part.functionCall.name));
}

export function firstCandidate(body: Json): Json | undefined {
  return objects(body.candidates)[0];
}

export function partsOf(candidate: Json | undefined): Json[] {
  return candidate && isObject(candidate.content) ? objects(candidate.content.parts) : [];
}

/** Proxy calls (ids generated from their order when Gemini sent none) and the client's own calls. */
export function callsOf(parts: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const part of parts) {
    const call = part.functionCall;
    if (!isObject(call)) continue;
    const name = String(call.name);
    if (!names.has(name)) {
      clientToolCalls++;
      continue;
    }
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `${name}-${proxyCalls.length}`;
    proxyCalls.push({ id, name, input: call.args ?? {} });
  }
  return { proxyCalls, clientToolCalls };
}

/**
 * The parts of one round the client sees: proxy calls removed. Gemini puts the thought
 * signature of parallel calls on the first call only; when that call is a hidden proxy
 * call, its signature moves to the next client call so the client's history stays valid.
 */
export class VisibleParts {
  private pendingSignature: unknown;

  constructor(private readonly names: ReadonlySet<string>) {}

  filter(parts: Json[]): { visible: Json[]; changed: boolean } {
    const visible: Json[] = [];
    let changed = false;
    for (const part of parts) {
      if (isProxyPart(part, this.names)) {
        changed = true;
        if (part.thoughtSignature !== undefined) this.pendingSignature ??= part.thoughtSignature;
      } else if (this.pendingSignature !== undefined && isObject(part.functionCall)) {
        visible.push(part.thoughtSignature === undefined ? { ...part, thoughtSignature: this.pendingSignature } : part);
        this.pendingSignature = undefined;
        changed = true;
      } else {
        visible.push(part);
      }
    }
    return { visible, changed };
  }
}

/** A copy of the response with candidate 0 holding `parts` (and `finish` changes applied). */
export function withParts(body: Json, parts: Json[], finish: 'keep' | 'strip' | 'stop' = 'keep'): Json {
  const [candidate = {}, ...others] = objects(body.candidates);
  const next: Json = { ...candidate, content: { ...(isObject(candidate.content) ? candidate.content : { role: 'model' }), parts } };
  if (finish === 'strip') {
    delete next.finishReason;
    delete next.finishMessage;
  } else if (finish === 'stop') next.finishReason = 'STOP';
  const out: Json = { ...body, candidates: [next, ...others] };
  if (finish === 'strip') delete out.usageMetadata;
  return out;
}
