import { createHash } from 'node:crypto';
import { CacheGuard } from './cache-guard.js';
import type { ContentKind } from '../compress/types.js';
import type { NeutralRequest } from '../wire/index.js';

/** What the proxy forwarded for one tool output (keyed by a hash of the original). */
export interface MemoEntry {
  /** The compressed text forwarded, or undefined when the original was forwarded as it is. */
  compressed: string | undefined;
  kind: ContentKind;
  retrievalKeys: string[];
  /** Token counts, filled in once counted (off the request's critical path). */
  tokensBefore?: number;
  tokensAfter?: number;
}

/**
 * One conversation's cache-safety state. The first time a tool output is forwarded decides
 * its bytes for the rest of the conversation: compressed outputs are replayed byte for byte,
 * and outputs forwarded as they were are never compressed later.
 */
export class ConversationState {
  readonly memo = new Map<string, MemoEntry>();
  /** headroom_retrieve has been added to a request of this conversation (it then stays). */
  retrieveToolAdded = false;
  /**
   * Context appended to user text parts, keyed by a hash of the part's original text: each
   * such part gets the same appended text in every request of the conversation.
   */
  readonly userContext = new Map<string, string>();
  /**
   * New outputs being compressed for a request of this conversation, by hash of the original: a
   * request carrying the same output meanwhile takes that result rather than deciding again.
   */
  readonly pending = new Map<string, Promise<{ entry: MemoEntry; ms: number }>>();
  /** Prompt-cache busts headroom caused here; once it has stopped, new outputs go as they are (replays still apply). */
  readonly guard = new CacheGuard();
  constructor(readonly id: string) {}
}

const MAX_CONVERSATIONS = 512;

/** Conversations by id, least recently used dropped first. */
export class Conversations {
  private readonly byId = new Map<string, ConversationState>();

  get(id: string): ConversationState {
    let s = this.byId.get(id);
    if (s) this.byId.delete(id);
    else s = new ConversationState(id);
    this.byId.set(id, s);
    if (this.byId.size > MAX_CONVERSATIONS) this.byId.delete(this.byId.keys().next().value!);
    return s;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Hash of an original, the memo key. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * A conversation id for a request without one in its headers or body: the hash of how the
 * conversation starts (model, system prompt, first message), which every later request of
 * the same conversation repeats.
 */
export function conversationId(req: NeutralRequest): string {
  const h = createHash('sha256');
  h.update(req.model).update('\0');
  for (const s of req.system) h.update(s.text).update('\0');
  const first = req.messages.find((m) => m.role !== 'system');
  for (const p of first?.parts ?? []) if (p.type === 'text') h.update(p.text).update('\0');
  return `conv:${h.digest('base64url').slice(0, 22)}`;
}
