import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { scriptSequence, startFakeUpstream } from '../helpers/fake-upstream.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-upstream-timeout-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const ask = { model: 'claude-fake', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

/** What the Anthropic SDK raises for one request through a proxy in front of `upstream`. */
async function sdkErrorThrough(upstream: string, upstreamTimeoutMs: number): Promise<InstanceType<typeof Anthropic.APIError>> {
  const proxy: RunningProxy = await startProxy({ port: 0, upstreams: { anthropic: upstream, openai: upstream, gemini: upstream }, store, ledgerDir: false, upstreamTimeoutMs });
  try {
    const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 });
    const err = await client.messages.create(ask).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Anthropic.APIError);
    return err as InstanceType<typeof Anthropic.APIError>;
  } finally {
    await proxy.close();
  }
}

describe('an upstream that fails reaches the client as what it is', () => {
  it('an upstream that never answers: a 504 timeout_error saying it timed out', async () => {
    const fake = await startFakeUpstream(scriptSequence({ fault: { hang: true } }));
    try {
      const err = await sdkErrorThrough(fake.url, 250);
      expect(err.status).toBe(504);
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'timeout_error', message: expect.stringMatching(new RegExp(`^headroom: the upstream ${fake.url} timed out: `)) } });
    } finally {
      await fake.close();
    }
  });

  // The words of the message decide nothing: a host named "timeout" that does not exist is a failure.
  it('an upstream that cannot be reached, named timeout.invalid: a 502 api_error, not a timeout', async () => {
    const err = await sdkErrorThrough('http://timeout.invalid:9', 60_000);
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringMatching(/^headroom: the upstream http:\/\/timeout\.invalid:9 failed: /) } });
  });
});
