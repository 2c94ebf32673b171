import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type CallMeta, type ProxyCall, type ProxyOptions, type ProxyToolSet, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { conversationPrefix, declaredTools, PROVIDER_CASES, type Json, type ProviderCase } from './provider-cases.js';
import { agentRecognition } from '../../src/agents/index.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-proxy-tools-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/**
 * A tiny in-test tool set shaped like the memory tools: `memory_save` keeps a note,
 * `memory_search` finds notes (and fails for the query "explode").
 */
function notebook(): { set: ProxyToolSet; notes: Array<{ text: string; meta: CallMeta }>; calls: ProxyCall[] } {
  const notes: Array<{ text: string; meta: CallMeta }> = [];
  const calls: ProxyCall[] = [];
  const set: ProxyToolSet = {
    tools: [
      { name: 'memory_save', description: 'Save one fact for later sessions.', schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
      { name: 'memory_search', description: 'Find saved facts.', schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
    ],
    answer: async (call, meta) => {
      calls.push(call);
      const input = call.input as { text?: unknown; query?: unknown };
      if (call.name === 'memory_save') {
        notes.push({ text: String(input.text), meta });
        return `saved: ${String(input.text)}`;
      }
      if (input.query === 'explode') throw new Error('the index is offline');
      const found = notes.filter((n) => n.text.includes(String(input.query)));
      return found.length > 0 ? found.map((n) => n.text).join('\n') : 'nothing found';
    },
  };
  return { set, notes, calls };
}

interface Setup {
  fake: FakeUpstream;
  proxy: RunningProxy;
  book: ReturnType<typeof notebook>;
  logs: string[];
}

async function withProxy(c: ProviderCase, script: Script, test: (t: Setup) => Promise<void>, options: ProxyOptions = {}): Promise<void> {
  const fake = await startFakeUpstream(script);
  const book = notebook();
  const logs: string[] = [];
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { [c.upstream]: fake.url }, store, ledgerDir: false, tools: book.set, onEvent: (e) => void (e.type === 'log' && logs.push(e.line)), ...options });
  try {
    await test({ fake, proxy, book, logs });
  } finally {
    await proxy.close();
    await fake.close();
  }
}

const FACT = 'the staging database listens on port 5433';
const STREAMS = [false, true] as const;

describe.each(PROVIDER_CASES)('proxy tools through $provider', (c) => {
  const clientTool = declaredTools(c.provider, c.firstTurn())[0]!;

  it.each(STREAMS)('answers memory_save itself and continues the turn as one response (stream %s)', async (stream) => {
    const script: Script = (call) =>
      call.index === 0
        ? { text: 'Noting that. ', toolCalls: [{ name: 'memory_save', input: { text: FACT } }] }
        : { text: `done (${call.toolOutputs.at(-1)?.includes(`saved: ${FACT}`) ? 'saved' : 'lost'})` };
    await withProxy(c, script, async (t) => {
      const answer = await c.send(t.proxy.url, c.firstTurn(), stream);
      expect(answer).toEqual({ text: 'Noting that. done (saved)', calls: [] });
      expect(t.book.notes).toHaveLength(1);
      expect(t.book.notes[0]!.text).toBe(FACT);
      expect(t.book.notes[0]!.meta.agent).toBe(c.agent);
      expect(t.book.notes[0]!.meta.session).not.toBe('');

      const [first, second] = t.fake.modelRequests();
      const clientTools = declaredTools(c.provider, c.firstTurn());
      expect(declaredTools(c.provider, first!.json)).toEqual([...clientTools, 'headroom_retrieve', 'memory_save', 'memory_search']);
      // The continuation replays the model's call and the answer after the forwarded request.
      expect(second!.body.startsWith(conversationPrefix(first!.body, c.listKey))).toBe(true);
      expect(second!.body).toContain(JSON.stringify(`saved: ${FACT}`).slice(1, -1));
      expect(t.fake.modelRequests()).toHaveLength(2);
      expect(t.proxy.stats().proxyTools.calls).toBe(1);
      expect(t.proxy.stats().retrievals).toMatchObject({ calls: 0, rounds: 1 });
    });
  });

  it.each(STREAMS)('runs a memory_save mixed with a client call, hides it and passes the client call through (stream %s)', async (stream) => {
    const script: Script = () => ({ text: 'Both. ', toolCalls: [{ name: 'memory_save', input: { text: FACT } }, { name: clientTool, input: { command: 'ls' } }] });
    await withProxy(c, script, async (t) => {
      const answer = await c.send(t.proxy.url, c.firstTurn(), stream);
      expect(answer).toEqual({ text: 'Both. ', calls: [clientTool] });
      // The save ran although its answer never reached the model.
      expect(t.book.notes.map((n) => n.text)).toEqual([FACT]);
      expect(t.fake.modelRequests()).toHaveLength(1);
      expect(t.proxy.stats().proxyTools.calls).toBe(1);
      expect(t.proxy.stats().retrievals.unanswered).toBe(0);
    });
  });
});

describe('proxy tools', () => {
  const [anthropic, chat] = PROVIDER_CASES as [ProviderCase, ProviderCase];

  it('gives the model a short error text when a tool fails, and the turn goes on', async () => {
    const script: Script = (call) =>
      call.index === 0 ? { toolCalls: [{ name: 'memory_search', input: { query: 'explode' } }] } : { text: `model saw: ${call.toolOutputs.at(-1)}` };
    await withProxy(chat, script, async (t) => {
      const answer = await chat.send(t.proxy.url, chat.firstTurn(), true);
      expect(answer.text).toBe('model saw: memory_search failed: the index is offline');
      expect(t.logs.some((l) => l.includes('the index is offline'))).toBe(true);
      expect((await fetch(`${t.proxy.url}/livez`)).status).toBe(200);
    });
  });

  it('answers several calls of one round in order, so a search sees the save before it', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { toolCalls: [{ name: 'memory_save', input: { text: FACT } }, { name: 'memory_search', input: { query: '5433' } }] }
        : { text: call.toolOutputs.slice(-2).join(' | ') };
    await withProxy(anthropic, script, async (t) => {
      const answer = await anthropic.send(t.proxy.url, anthropic.firstTurn(), false);
      expect(answer.text).toBe(`saved: ${FACT} | ${FACT}`);
      expect(t.book.calls.map((call) => call.name)).toEqual(['memory_save', 'memory_search']);
    });
  });

  it("never adds or hides a tool the client declares itself, and leaves a request without tools alone", async () => {
    const own = { name: 'memory_save', description: "The client's own notes.", input_schema: { type: 'object' } };
    const body = anthropic.firstTurn();
    body.tools = [...(body.tools as Json[]), own];
    await withProxy(anthropic, () => ({ toolCalls: [{ name: 'memory_save', input: { text: 'mine' } }] }), async (t) => {
      const answer = await anthropic.send(t.proxy.url, body, true);
      expect(answer.calls).toEqual(['memory_save']);
      expect(t.book.calls).toEqual([]);
      const names = declaredTools('anthropic', t.fake.modelRequests()[0]!.json);
      expect(names.filter((n) => n === 'memory_save')).toHaveLength(1);
      expect(names.slice(-3)).toEqual(['memory_save', 'headroom_retrieve', 'memory_search']);

      const { tools: _tools, ...toolless } = anthropic.firstTurn();
      const sent: string[] = [];
      await anthropic.send(t.proxy.url, toolless, false, sent);
      expect(t.fake.modelRequests()[1]!.body).toBe(sent[0]);
    });
  });

  it('still runs the saves of the round the loop is cut at', async () => {
    const script: Script = (call) => ({ text: `round ${call.index}. `, toolCalls: [{ name: 'memory_save', input: { text: `fact ${call.index}` } }] });
    await withProxy(
      chat,
      script,
      async (t) => {
        const answer = await chat.send(t.proxy.url, chat.firstTurn(), true);
        expect(answer).toEqual({ text: 'round 0. round 1. ', calls: [] });
        expect(t.fake.modelRequests()).toHaveLength(2);
        expect(t.book.notes.map((n) => n.text)).toEqual(['fact 0', 'fact 1']);
      },
      { maxRetrievalRounds: 1 },
    );
  });

  it('records the tool calls in the stats, the metrics and the ledger', async () => {
    const ledgerDir = join(home, 'ledger-tools');
    const script: Script = (call) => (call.index === 0 ? { toolCalls: [{ name: 'memory_save', input: { text: FACT } }] } : 'ok');
    await withProxy(
      anthropic,
      script,
      async (t) => {
        await anthropic.send(t.proxy.url, anthropic.firstTurn(), true);
        expect(await (await fetch(`${t.proxy.url}/metrics`)).text()).toMatch(/^headroom_proxy_tool_calls_total 1$/m);
        const health = (await (await fetch(`${t.proxy.url}/health`)).json()) as { features: { proxyTools: string[] } };
        expect(health.features.proxyTools).toEqual(['memory_save', 'memory_search']);
      },
      { ledgerDir },
    );
    const lines = readdirSync(ledgerDir).flatMap((f) => readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'));
    expect(lines.map((l) => JSON.parse(l) as { toolCalls: number; recalled: number })).toEqual([expect.objectContaining({ toolCalls: 1, recalled: 0 })]);
    expect(lines.join('')).not.toContain(FACT);
  });
});
