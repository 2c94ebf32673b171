/**
 * Server-sent events, parsed incrementally as bytes arrive. Each event keeps its raw text
 * (terminator included) so an event the proxy does not change is relayed byte for byte.
 */
export interface SseEvent {
  /** The `event:` field, if any. */
  event?: string;
  /** The `data:` lines joined with newlines. */
  data: string;
  /** The event exactly as received, up to and including the blank line that ends it. */
  raw: string;
}

const EVENT_END_RE = /\r\n\r\n|\n\n|\r\r/;

export class SseParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** Feeds bytes; returns every event they complete. */
  push(chunk: Uint8Array | string): SseEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    for (;;) {
      const m = EVENT_END_RE.exec(this.buffer);
      if (!m) break;
      const end = m.index + m[0].length;
      const raw = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end);
      const ev = parseEvent(raw);
      if (ev) events.push(ev);
    }
    return events;
  }

  /**
   * Ends the stream: the text after its last complete event ('' when it ended between events).
   * That text is an event cut short (no blank line after it) and is no event: EventSource and
   * the SDKs drop it, and so does the proxy.
   */
  end(): string {
    this.buffer += this.decoder.decode();
    const rest = this.buffer;
    this.buffer = '';
    return rest.trim() === '' ? '' : rest;
  }
}

function parseEvent(raw: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  let sawField = false;
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    sawField = true;
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  // A comment-only block (keep-alive) still reaches the client unchanged.
  if (!sawField) return { data: '', raw };
  return { ...(event !== undefined ? { event } : {}), data: data.join('\n'), raw };
}

/** One event as SSE text. */
export function formatSse(data: string, event?: string): string {
  return `${event !== undefined ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}

/** An event's data as a JSON object, or undefined (`[DONE]`, keep-alives, anything else). */
export function eventJson(ev: SseEvent): Record<string, unknown> | undefined {
  if (!ev.data.startsWith('{')) return undefined;
  try {
    const data: unknown = JSON.parse(ev.data);
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
