import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-budget-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/**
 * A proxy whose event loop is watched: `recall` runs right before a request's outputs are
 * compressed and its `query` event right after, so a /livez sent from `recall` that is answered before
 * the `query` event was answered while that request was being compressed.
 */
interface Watched {
  fake: FakeUpstream;
  proxy: RunningProxy;
  logs: string[];
  ledgerDir: string;
  /** Resolves with whether compression had finished when /livez answered (sent as compression began). */
  livezDuringCompression: Promise<boolean>;
  /** Resolves with whether the client had its answer when /livez answered (sent as compression ended). */
  livezAfterCompression: Promise<boolean>;
  /** Set by the test when the client has its answer. */
  client: { answered: boolean };
}

async function watchedProxy(name: string, options: ProxyOptions): Promise<Watched> {
  const fake = await startFakeUpstream();
  const logs: string[] = [];
  const ledgerDir = join(home, name, 'ledger');
  let compressed = false;
  let proxy: RunningProxy | undefined;
  const client = { answered: false };
  let answered: (compressedThen: boolean) => void = () => undefined;
  const livezDuringCompression = new Promise<boolean>((resolve) => (answered = resolve));
  let answeredLater: (clientAnsweredThen: boolean) => void = () => undefined;
  const livezAfterCompression = new Promise<boolean>((resolve) => (answeredLater = resolve));
  const livez = (then: () => void) =>
    void fetch(`${proxy!.url}/livez`).then(async (res) => {
      expect(await res.json()).toEqual({ status: 'ok' });
      then();
    });
  proxy = await startProxy({ ...agentRecognition,
    port: 0,
    upstreams: { anthropic: fake.url, openai: fake.url },
    store: new FileCcrStore(join(home, name, 'ccr')),
    ledgerDir,

    // Sent, not awaited: the proxy goes on to compress at once.
    recall: async () => {
      livez(() => answered(compressed));
      return undefined;
    },
    onEvent: (e) => {
      if (e.type === 'log') logs.push(e.line);
      if (e.type !== 'query') return;
      compressed = true;
      livez(() => answeredLater(client.answered));
    },
    ...options,
  });
  return { fake, proxy, logs, ledgerDir, livezDuringCompression, livezAfterCompression, client };
}

async function closeAll(w: Watched): Promise<void> {
  await w.proxy.close();
  await w.fake.close();
}

/** What the proxy says about one failed-open request, on every channel that counts requests. */
async function expectOneFailedOpen(w: Watched): Promise<void> {
  expect(w.proxy.stats().requests).toMatchObject({ total: 1, compressed: 0, passedThrough: 1, failedOpen: 1 });
  const stats = (await (await fetch(`${w.proxy.url}/stats`)).json()) as { requests: { failedOpen: number } };
  expect(stats.requests.failedOpen).toBe(1);
  expect(await (await fetch(`${w.proxy.url}/metrics`)).text()).toContain('headroom_requests_total{outcome="failed_open"} 1');
  expect(w.logs.some((l) => /passed its \d+ ms budget/.test(l))).toBe(true);
}

function ledgerRecords(dir: string): Array<Record<string, unknown>> {
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** A word of letters only, different for every i. */
function word(i: number): string {
  let s = '';
  do {
    s += String.fromCharCode(97 + (i % 26));
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

function workerLog(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z INFO worker ${word(i)} finished job ${i} in ${i % 97} ms`).join('\n');
}

describe('the compression budget holds while the event loop stays free', () => {
  it('a 32k-item JSON output past the budget goes upstream as it was, counted as failed open', async () => {
    // The output that took 131 s on the event loop (anomalies() was quadratic in the items).
    const items = Array.from({ length: 32_000 }, (_, i) => ({ name: `package-${i}`, version: `1.${i % 50}.${i % 7}`, ok: true }));
    const output = JSON.stringify(items);
    // No tool added (the model would retrieve with the `headroom` command in its shell): the body stays the client's own.
    const w = await watchedProxy('json', { budgetMs: 50, retrieveTool: 'never', shellHasHeadroom: true });
    try {
      const body = {
        model: 'claude-fake',
        max_tokens: 100,
        tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } } }],
        messages: [
          { role: 'user' as const, content: 'Which packages does the registry list?' },
          { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'Bash', input: { command: 'curl registry/packages' } }] },
          {
            role: 'user' as const,
            content: [
              { type: 'tool_result' as const, tool_use_id: 'toolu_1', content: output },
              { type: 'text' as const, text: 'Which of them failed?' },
            ],
          },
        ],
      };
      const anthropic = new Anthropic({ baseURL: w.proxy.url, apiKey: 'k', maxRetries: 0 });
      const answer = await anthropic.messages.create(body, { headers: { 'x-claude-code-session-id': 'budget-json' } });
      expect(answer.content[0]).toMatchObject({ type: 'text' });

      expect(await w.livezDuringCompression).toBe(false);
      // The original went upstream, byte for byte as the client sent it.
      const [forwarded] = w.fake.modelRequests();
      expect(forwarded!.body).toBe(JSON.stringify(body));
      expect(toolOutputsOf('anthropic', forwarded!.json)).toEqual([output]);
      await expectOneFailedOpen(w);
    } finally {
      await closeAll(w);
    }
    expect(ledgerRecords(w.ledgerDir)).toEqual([expect.objectContaining({ failedOpen: true, tokensBefore: 0, tokensAfter: 0 })]);
  });

  it('a large output scored against a very long question, past the budget, goes upstream as it was', async () => {
    // Relevance scoring costs (terms of the question) x (size of the output): a pasted question
    // of 3000 distinct words over a 1.3 MB log takes seconds.
    const question = Array.from({ length: 3000 }, (_, i) => `${word(i + 700)}zq`).join(' ');
    const output = workerLog(20_000);
    const w = await watchedProxy('query', { budgetMs: 100, retrieveTool: 'never', shellHasHeadroom: true });
    try {
      const params = {
        model: 'gpt-fake',
        tools: [{ type: 'function' as const, function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
        messages: [
          { role: 'user' as const, content: 'Look at the worker log.' },
          { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'bash', arguments: '{"command":"cat worker.log"}' } }] },
          { role: 'tool' as const, tool_call_id: 'call_1', content: output },
          { role: 'user' as const, content: question },
        ],
      };
      const openai = new OpenAI({ baseURL: `${w.proxy.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const completion = await openai.chat.completions.create(params);
      expect(completion.choices[0]!.message.role).toBe('assistant');

      expect(await w.livezDuringCompression).toBe(false);
      const [forwarded] = w.fake.modelRequests();
      expect(forwarded!.body).toBe(JSON.stringify(params));
      expect(toolOutputsOf('openai-chat', forwarded!.json)).toEqual([output]);
      await expectOneFailedOpen(w);
    } finally {
      await closeAll(w);
    }
    expect(ledgerRecords(w.ledgerDir)).toEqual([expect.objectContaining({ failedOpen: true })]);
  });

  it('token counting that would take minutes is given up in its thread while the proxy answers', async () => {
    // One 200k-letter word: the tokenizer's pair merging is quadratic in the length of a word
    // (50k letters take seconds, 200k minutes). The output compresses at once (the line is cut,
    // and it lies beyond what detection samples); counting the original's tokens does not end
    // within its 5 budgets.
    const output = `${workerLog(1500)}\n${'a'.repeat(200_000)}\n${workerLog(300)}`;
    const w = await watchedProxy('tokens', { budgetMs: 2000 });
    try {
      const anthropic = new Anthropic({ baseURL: w.proxy.url, apiKey: 'k', maxRetries: 0 });
      const { response } = await anthropic.messages
        .create({
          model: 'claude-fake',
          max_tokens: 100,
          tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
          messages: [
            { role: 'user', content: 'What did the workers do?' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat worker.log' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: output }, { type: 'text', text: 'Summarise it.' }] },
          ],
        })
        .withResponse();
      w.client.answered = true;

      expect(await w.livezAfterCompression).toBe(false);
      const [forwarded] = toolOutputsOf('anthropic', w.fake.modelRequests()[0]!.json);
      expect(forwarded!.length).toBeLessThan(output.length / 2);
      expect(keysInText(forwarded!)).toHaveLength(1);
      expect(response.headers.get('x-headroom-tokens-before')).toBe('0');
      expect(w.proxy.stats().requests).toMatchObject({ total: 1, compressed: 1, failedOpen: 0 });
      expect(w.logs.some((l) => l.startsWith('token counts of 1 compressed output(s) not taken'))).toBe(true);
    } finally {
      await closeAll(w);
    }
  });
});
