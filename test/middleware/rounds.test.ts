import { describe, expect, it } from 'vitest';
import { answerStream } from '../../src/middleware/rounds.js';
import { adapterFor } from '../../src/providers/index.js';
import { RETRIEVE_ONLY } from '../../src/providers/proxy-names.js';
import type { CcrStore } from '../../src/compress/ccr-store.js';

const store: CcrStore = { get: () => undefined, put: () => undefined } as unknown as CcrStore;
const messageStart = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n`;

describe('answerStream', () => {
  it('stops reading the upstream stream when its caller cancels the relayed one', async () => {
    let cancelled = false;
    const upstream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(messageStart));
      },
      cancel() {
        cancelled = true;
      },
    });
    const first = new Response(upstream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const loop = { adapter: adapterFor('anthropic'), store, proxyNames: RETRIEVE_ONLY, maxRounds: 3, send: () => Promise.reject(new Error('no continuation expected')) };
    const reader = answerStream(loop, '{}', first).body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('message_start');
    await reader.cancel();
    expect(cancelled).toBe(true);
  });
});
