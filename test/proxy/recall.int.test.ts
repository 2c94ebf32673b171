import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { AGENT_CONTEXT } from '../../src/agents/index.js';
import { notUserWords } from '../../src/proxy/user-context.js';
import { latestUserText, objectMembers, rootSpan } from '../../src/wire/index.js';
import { anthropic as anthropicAdapter } from '../../src/providers/index.js';
import { startProxy, type CallMeta, type ProxyOptions, type RecallHook, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { conversationPrefix, PROVIDER_CASES, type Json, type ProviderCase } from './provider-cases.js';
import { agentRecognition } from '../../src/agents/index.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-recall-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** What the user typed in each capture's last turn (the agents' context blocks around it left out). */
const FIRST_TEXT: Record<string, string> = { anthropic: 'run a command', 'openai-chat': 'hi', 'openai-responses': 'run something', gemini: 'hi' };

const memoryBlock = (n: number): string => `<headroom-memory count="1">\n- (${n}) the staging database listens on port 5433\n</headroom-memory>`;

/** A recall hook that answers every query with a numbered memory block and records what it was asked. */
function recaller(): { hook: RecallHook; asked: Array<{ query: string; meta: CallMeta }> } {
  const asked: Array<{ query: string; meta: CallMeta }> = [];
  const hook: RecallHook = async (query, meta) => {
    asked.push({ query, meta });
    return { text: memoryBlock(asked.length), count: 1 };
  };
  return { hook, asked };
}

interface Setup {
  fake: FakeUpstream;
  proxy: RunningProxy;
  logs: string[];
}

async function withProxy(c: ProviderCase, options: ProxyOptions, test: (t: Setup) => Promise<void>): Promise<void> {
  const fake = await startFakeUpstream();
  const logs: string[] = [];
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { [c.upstream]: fake.url }, store, ledgerDir: false, onEvent: (e) => void (e.type === 'log' && logs.push(e.line)), ...options });
  try {
    await test({ fake, proxy, logs });
  } finally {
    await proxy.close();
    await fake.close();
  }
}

interface Change {
  path: string;
  before: string;
  after: string;
}

/** Every string of `sent` that is different at the same place in `forwarded` (members and elements the proxy added are not visited). */
function changedStrings(sent: unknown, forwarded: unknown, path = ''): Change[] {
  if (typeof sent === 'string') return typeof forwarded === 'string' && forwarded !== sent ? [{ path, before: sent, after: forwarded }] : [];
  if (!sent || typeof sent !== 'object' || !forwarded || typeof forwarded !== 'object') return [];
  return Object.entries(sent).flatMap(([k, v]) => changedStrings(v, (forwarded as Json)[k], `${path}/${k}`));
}

/** The raw bytes of a body's `tools` member. */
const toolsBytes = (raw: string): string => {
  const span = objectMembers(raw, rootSpan(raw)).get('tools')!;
  return raw.slice(span.start, span.end);
};

describe.each(PROVIDER_CASES)('recall through $provider', (c) => {
  it.each([true, false])('appends recalled memories to the newest user turn and replays them byte for byte in later requests (stream %s)', async (stream) => {
    const { hook, asked } = recaller();
    await withProxy(c, { recall: hook }, async (t) => {
      const sent: string[] = [];
      const turn1 = c.firstTurn();
      const turn2 = c.nextTurn(turn1, 'Done.', 'and the second step?');
      await c.send(t.proxy.url, turn1, stream, sent);
      await c.send(t.proxy.url, turn2, stream, sent);
      const [f1, f2] = t.fake.modelRequests().map((r) => r.body) as [string, string];

      expect(asked.map((a) => a.query)).toEqual([FIRST_TEXT[c.provider], 'and the second step?']);
      expect(asked.map((a) => a.meta.agent)).toEqual([c.agent, c.agent]);
      expect(asked[0]!.meta.session).not.toBe('');
      expect(asked[1]!.meta.session).toBe(asked[0]!.meta.session);

      // Turn 1: one string changed, the user's text, with the block after a blank line.
      const changes1 = changedStrings(JSON.parse(sent[0]!), JSON.parse(f1));
      expect(changes1).toHaveLength(1);
      expect(changes1[0]!.path.startsWith(`/${c.listKey}/`)).toBe(true);
      expect(changes1[0]!.before).toContain(FIRST_TEXT[c.provider]);
      expect(changes1[0]!.after).toBe(`${changes1[0]!.before}\n\n${memoryBlock(1)}`);
      expect(c.system(JSON.parse(f1))).toEqual(c.system(turn1));

      // Turn 2: the first turn's text carries the same block; the new turn gets its own.
      const changes2 = changedStrings(JSON.parse(sent[1]!), JSON.parse(f2));
      expect(changes2).toEqual([changes1[0], { path: expect.any(String), before: 'and the second step?', after: `and the second step?\n\n${memoryBlock(2)}` }]);
      // The client's second request extends its first; so does what the proxy forwarded.
      expect(sent[1]!.startsWith(conversationPrefix(sent[0]!, c.listKey))).toBe(true);
      expect(f2.startsWith(conversationPrefix(f1, c.listKey))).toBe(true);
      expect(toolsBytes(f2)).toBe(toolsBytes(f1));
      expect(t.proxy.stats().recall).toEqual({ requests: 2, recalled: 2 });

      // The same request again (a retry) asks nothing new and is forwarded exactly as before.
      await c.send(t.proxy.url, turn2, stream);
      expect(t.fake.modelRequests()[2]!.body).toBe(f2);
      expect(asked).toHaveLength(2);
    });
  });

  it('never changes an earlier user turn it has no memory of', async () => {
    const { hook, asked } = recaller();
    await withProxy(c, { recall: hook }, async (t) => {
      const sent: string[] = [];
      // A proxy started mid-conversation sees the second turn first.
      await c.send(t.proxy.url, c.nextTurn(c.firstTurn(), 'Done.', 'and the second step?'), true, sent);
      const changes = changedStrings(JSON.parse(sent[0]!), t.fake.modelRequests()[0]!.json);
      expect(changes.map((ch) => ch.before)).toEqual(['and the second step?']);
      expect(asked).toHaveLength(1);
    });
  });
});

describe('recall', () => {
  const anthropic = PROVIDER_CASES[0]!;
  const claudeCapture = (n: string): Json =>
    ({ ...(JSON.parse(readFileSync(`fixtures/wire/claude-tool/00${n}-POST-_v1_messages.json`, 'utf8')) as { body: Json }).body, max_tokens: 1024 });

  it('is not asked for a turn that ends with a tool result, which still gets the earlier turn replayed', async () => {
    const { hook, asked } = recaller();
    await withProxy(anthropic, { recall: hook }, async (t) => {
      // Claude Code's real first and second requests: a prompt, then the result of the command it ran.
      await anthropic.send(t.proxy.url, claudeCapture('2'), true);
      const sent: string[] = [];
      await anthropic.send(t.proxy.url, claudeCapture('3'), true, sent);
      expect(asked.map((a) => a.query)).toEqual(['run a command']);
      const changes = changedStrings(JSON.parse(sent[0]!), t.fake.modelRequests()[1]!.json);
      expect(changes).toEqual([{ path: '/messages/0/content/1/text', before: 'run a command', after: `run a command\n\n${memoryBlock(1)}` }]);
    });
  });

  it('adds recall and compresses a tool output in the same request', async () => {
    const workload = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as Json & { messages: Json[] };
    const { hook } = recaller();
    await withProxy(anthropic, { recall: hook }, async (t) => {
      const sent: string[] = [];
      const body = anthropic.nextTurn({ ...workload, model: 'claude-test', max_tokens: 1024 }, 'Looking.', 'which process held the lock?');
      await anthropic.send(t.proxy.url, body, true, sent);
      const changes = changedStrings(JSON.parse(sent[0]!), t.fake.modelRequests()[0]!.json);
      expect(changes).toHaveLength(2);
      const [output, question] = changes as [Change, Change];
      expect(output.after.length).toBeLessThan(output.before.length / 2);
      expect(question).toMatchObject({ before: 'which process held the lock?', after: `which process held the lock?\n\n${memoryBlock(1)}` });
    });
  });

  it('goes without when the hook throws, logs one line, and recalls again on the next turn', async () => {
    let calls = 0;
    const hook: RecallHook = async () => {
      calls++;
      if (calls === 1) throw new Error('memory store is locked');
      return { text: memoryBlock(calls), count: 2 };
    };
    await withProxy(anthropic, { recall: hook }, async (t) => {
      const sent: string[] = [];
      const turn1 = anthropic.firstTurn();
      const answer = await anthropic.send(t.proxy.url, turn1, true, sent);
      expect(answer.text).toMatch(/^ok:/);
      expect(changedStrings(JSON.parse(sent[0]!), t.fake.modelRequests()[0]!.json)).toEqual([]);
      expect(t.logs.filter((l) => l.includes('recall'))).toEqual(['recall failed (memory store is locked); the request went without recalled context']);

      await anthropic.send(t.proxy.url, anthropic.nextTurn(turn1, 'Done.', 'next?'), false, sent);
      expect(changedStrings(JSON.parse(sent[1]!), t.fake.modelRequests()[1]!.json).map((ch) => ch.after)).toEqual([`next?\n\n${memoryBlock(2)}`]);
      expect(t.proxy.stats().recall).toEqual({ requests: 1, recalled: 2 });
    });
  });

  it('goes without when the hook takes too long, and never adds its late answer', async () => {
    let release: (() => void) | undefined;
    const hook: RecallHook = () =>
      new Promise((resolve) => {
        release = () => resolve({ text: memoryBlock(9), count: 1 });
      });
    await withProxy(anthropic, { recall: hook, recallTimeoutMs: 100 }, async (t) => {
      const sent: string[] = [];
      const turn1 = anthropic.firstTurn();
      await anthropic.send(t.proxy.url, turn1, true, sent);
      release?.();
      expect(changedStrings(JSON.parse(sent[0]!), t.fake.modelRequests()[0]!.json)).toEqual([]);
      expect(t.logs.filter((l) => l.includes('recall'))).toEqual(['recall failed (no answer within 100 ms); the request went without recalled context']);
      // The turn that went without stays without in the next request.
      await anthropic.send(t.proxy.url, anthropic.nextTurn(turn1, 'Done.', 'next?'), true, sent);
      expect(changedStrings(JSON.parse(sent[1]!), t.fake.modelRequests()[1]!.json).map((ch) => ch.before)).toEqual([]);
    });
  });

  it('adds nothing when the hook has nothing, and records the count in the ledger when it has', async () => {
    const ledgerDir = join(home, 'ledger-recall');
    let answer: { text: string; count: number } | undefined;
    // No retrieve tool, so that a request with nothing recalled goes byte for byte (a request without
    // tools would be one of Claude Code's background calls, which get no recall at all).
    await withProxy(anthropic, { recall: async () => answer, ledgerDir, retrieveTool: 'never' }, async (t) => {
      const sent: string[] = [];
      const first = anthropic.firstTurn();
      await anthropic.send(t.proxy.url, first, false, sent);
      expect(t.fake.modelRequests()[0]!.body).toBe(sent[0]);
      answer = { text: memoryBlock(1), count: 3 };
      await anthropic.send(t.proxy.url, anthropic.nextTurn(first, 'Done.', 'next?'), false, sent);
    });
    const lines = readdirSync(ledgerDir).flatMap((f) => readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'));
    expect(lines.map((l) => (JSON.parse(l) as { recalled: number }).recalled)).toEqual([0, 3]);
    expect(lines.join('')).not.toContain('5433');
  });

  it('leaves count_tokens and requests without a user turn of their own alone', async () => {
    const { hook, asked } = recaller();
    await withProxy(anthropic, { recall: hook }, async (t) => {
      const body = JSON.stringify({ model: 'claude-test', messages: [{ role: 'user', content: 'how many tokens?' }] });
      const res = await fetch(`${t.proxy.url}/v1/messages/count_tokens`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': 'k' } });
      expect(res.status).toBe(200);
      expect(t.fake.requests.at(-1)!.body).toBe(body);
      expect(asked).toEqual([]);
    });
  });

  it("treats headroom's own memory block as context, not as what the user asked", () => {
    const raw = JSON.stringify({
      model: 'm',
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: `${memoryBlock(1)}\n` }, { type: 'text', text: '<system-reminder>x</system-reminder>' }] },
      ],
    });
    expect(latestUserText(anthropicAdapter.read(raw), notUserWords(AGENT_CONTEXT))).toBe('first question');
  });
});

describe("recall into an agent's main conversation only (real first-prompt captures, in the order the CLI sent them)", () => {
  const SESSIONS: Array<{ agent: string; files: string[]; main: number }> = [
    { agent: 'Claude Code', files: ['claude-title/001-POST-_v1_messages.json', 'claude-title/002-POST-_v1_messages.json'], main: 1 },
    { agent: 'Codex', files: ['codex-title/001-POST-_v1_responses.json', 'codex-title/002-POST-_v1_responses.json'], main: 0 },
    {
      agent: 'Gemini CLI',
      files: [
        'gemini-summary/003-POST-_v1beta_models_gemini_3_5_flash_lite_generateContent.json',
        'gemini-summary/001-POST-_v1beta_models_gemini_3_5_flash_lite_generateContent.json',
        'gemini-summary/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json',
      ],
      main: 2,
    },
  ];
  /** Hop-by-hop and length headers the proxy and fetch set themselves. */
  const OWN = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'transfer-encoding']);

  it.each(SESSIONS)('$agent: one recall, into the request that carries the prompt in the main conversation', async ({ files, main }) => {
    const { hook, asked } = recaller();
    const fake = await startFakeUpstream();
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false, recall: hook });
    try {
      for (const file of files) {
        const { url, headers, body } = JSON.parse(readFileSync(new URL(`../../fixtures/wire/${file}`, import.meta.url), 'utf8')) as { url: string; headers: Record<string, string>; body: Json };
        const sent = Object.fromEntries(Object.entries(headers).filter(([k]) => !OWN.has(k)));
        const res = await fetch(`${proxy.url}${url}`, { method: 'POST', headers: sent, body: JSON.stringify(body) });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
      }
      expect(asked).toHaveLength(1);
      const forwarded = fake.modelRequests().map((r) => r.body.includes('<headroom-memory'));
      expect(forwarded).toEqual(files.map((_, i) => i === main));
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
