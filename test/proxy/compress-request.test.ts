import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compressRequest } from '../../src/index.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { MIN_CHARS } from '../../src/compress/compress-text.js';
import { keysInText } from '../../src/compress/marker.js';

type Block = { type: string; content?: unknown; text?: string; [k: string]: unknown };
type Msg = { role: string; content: string | Block[] };
type Body = { system?: unknown; tools?: unknown; messages: Msg[]; [k: string]: unknown };

const W = 'fixtures/workloads';
const FIXTURES = ['p01-code-search-fastify-onsend', 'p11-multiturn-fastify-regexp-regression', 'p12-multiturn-sre-redis-oom'];
const rawOf = (id: string) => fs.readFileSync(join(W, id, 'request.json'), 'utf8');
const blocks = (b: Body) => b.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
const toolTexts = (b: Body) =>
  blocks(b)
    .filter((x) => x.type === 'tool_result')
    .flatMap((x) => (typeof x.content === 'string' ? [x.content] : (x.content as Block[]).filter((p) => p.type === 'text').map((p) => p.text!)));

let home: string;
let store: FileCcrStore;
let savedHome: string | undefined;
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-req-'));
  savedHome = process.env.HEADROOM_HOME;
  process.env.HEADROOM_HOME = home;
  store = new FileCcrStore(join(home, 'ccr'));
});
afterEach(() => {
  if (savedHome === undefined) delete process.env.HEADROOM_HOME;
  else process.env.HEADROOM_HOME = savedHome;
  fs.rmSync(home, { recursive: true, force: true });
});

/** Everything but the tool_result text is deep-equal. */
function expectOnlyToolTextsChanged(before: Body, after: Body): void {
  const strip = (b: Body) => ({
    ...b,
    messages: b.messages.map((m) => ({
      role: m.role,
      content: Array.isArray(m.content)
        ? m.content.map((x) =>
            x.type !== 'tool_result' ? x : { ...x, content: typeof x.content === 'string' ? '<tool>' : (x.content as Block[]).map((p) => (p.type === 'text' ? { ...p, text: '<tool>' } : p)) },
          )
        : m.content,
    })),
  });
  expect(strip(after)).toEqual(strip(before));
}

describe('compressRequest on real workloads', () => {
  it.each(FIXTURES)('%s: only tool_result strings change, every other byte is identical', (id) => {
    const raw = rawOf(id);
    const r = compressRequest(raw, { store });
    const before = JSON.parse(raw) as Body;
    const after = JSON.parse(r.body) as Body;
    expect(r.body.length).toBeLessThan(raw.length);
    expectOnlyToolTextsChanged(before, after);
    expect(after.system).toEqual(before.system);
    expect(after.tools).toEqual(before.tools);
    // Raw bytes between tool outputs are identical, in order.
    const origs = toolTexts(before);
    const outs = toolTexts(after);
    expect(outs).toEqual(r.toolOutputs.map((t) => t.text));
    let i = 0;
    let j = 0;
    origs.forEach((o, n) => {
      const a = raw.indexOf(JSON.stringify(o), i);
      const b = r.body.indexOf(JSON.stringify(outs[n]), j);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(r.body.slice(j, b)).toBe(raw.slice(i, a));
      i = a + JSON.stringify(o).length;
      j = b + JSON.stringify(outs[n]).length;
    });
    expect(r.body.slice(j)).toBe(raw.slice(i));
    const first = origs.findIndex((o, n) => o !== outs[n]);
    expect(first).toBeGreaterThanOrEqual(0);
    const prefix = raw.indexOf(JSON.stringify(origs[first]));
    expect(r.body.slice(0, prefix)).toBe(raw.slice(0, prefix));
    expect(r.body[prefix]).toBe('"');
  });

  it.each(FIXTURES)('%s: every retrieval key resolves to the original tool output', (id) => {
    const raw = rawOf(id);
    const r = compressRequest(raw, { store });
    const origs = toolTexts(JSON.parse(raw) as Body);
    expect(r.retrievalKeys.length).toBeGreaterThan(0);
    expect(new Set(keysInText(r.body))).toEqual(new Set(r.retrievalKeys));
    r.toolOutputs.forEach((t, n) => {
      expect(t.tokensAfter).toBeLessThanOrEqual(t.tokensBefore);
      for (const k of t.retrievalKeys) expect(store.get(k)).toContain(origs[n]);
      if (t.text === origs[n]) expect(t.retrievalKeys).toEqual([]);
    });
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  });
});

describe('compressRequest shapes', () => {
  const p01 = () => JSON.parse(rawOf(FIXTURES[0]!)) as Body;
  const toolBlock = (b: Body) => blocks(b).find((x) => x.type === 'tool_result')!;

  it.each(['string', 'object'] as const)('a tool_result with cache_control keeps it (%s input)', (form) => {
    const b = p01();
    toolBlock(b).cache_control = { type: 'ephemeral' };
    const input = form === 'string' ? JSON.stringify(b, null, 2) : b;
    const r = compressRequest(input, { store });
    const out = (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as Body;
    expect(toolBlock(out).cache_control).toEqual({ type: 'ephemeral' });
    expect(toolBlock(out).content).not.toBe(toolBlock(b).content);
  });

  it('a request whose tool outputs are all small comes back as the same string', () => {
    const b = JSON.parse(rawOf(FIXTURES[1]!)) as Body;
    for (const x of blocks(b)) if (x.type === 'tool_result') x.content = (x.content as string).slice(0, MIN_CHARS - 1);
    const raw = JSON.stringify(b, null, 1);
    const r = compressRequest(raw, { store });
    expect(r.body).toBe(raw);
    expect(r.retrievalKeys).toEqual([]);
    expect(fs.existsSync(join(home, 'ccr'))).toBe(false);
  });

  it('object input gives an object output and leaves the input untouched', () => {
    const b = p01();
    const copy = structuredClone(b);
    const r = compressRequest(b, { store });
    expect(typeof r.body).toBe('object');
    expect(b).toEqual(copy);
    expectOnlyToolTextsChanged(b, r.body);
    expect(toolTexts(r.body)[0]!.length).toBeLessThan(toolTexts(b)[0]!.length);
  });

  it('compresses list-form tool_result content ([{type:"text", text}])', () => {
    const b = p01();
    const tb = toolBlock(b);
    const orig = tb.content as string;
    tb.content = [{ type: 'text', text: 'short preface' }, { type: 'text', text: orig }];
    const r = compressRequest(JSON.stringify(b), { store });
    const out = JSON.parse(r.body) as Body;
    const parts = toolBlock(out).content as Block[];
    expect(parts[0]).toEqual({ type: 'text', text: 'short preface' });
    expect(parts[1]!.text!.length).toBeLessThan(orig.length);
    expect(keysInText(parts[1]!.text!).length).toBeGreaterThan(0);
    expect(store.get(keysInText(parts[1]!.text!)[0]!)).toContain(orig);
  });

  it('never changes user or assistant text, even when it is large', () => {
    const b = p01();
    const big = (toolBlock(b).content as string).repeat(2);
    b.messages[0]!.content = [{ type: 'text', text: big }];
    b.messages.splice(1, 0, { role: 'assistant', content: big }, { role: 'user', content: big });
    const r = compressRequest(JSON.stringify(b), { store });
    const out = JSON.parse(r.body) as Body;
    expect(out.messages[0]!.content).toEqual([{ type: 'text', text: big }]);
    expect(out.messages[1]!.content).toBe(big);
    expect(out.messages[2]!.content).toBe(big);
    expectOnlyToolTextsChanged(b, out);
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  });

  it.each([
    ['the latest user text, skipping a system-reminder block', [{ type: 'text', text: '<system-reminder>ignore me</system-reminder>' }], 'Q1'],
    ['a later plain user string', 'Q2 later', 'Q2 later'],
    ['a later user text block beside a reminder', [{ type: 'text', text: '  <system-reminder>x' }, { type: 'text', text: 'Q3' }], 'Q3'],
  ])('query defaults to %s', (_name, lastContent, expected) => {
    const b = p01();
    b.messages[0]!.content = [{ type: 'text', text: 'Q1' }];
    b.messages.push({ role: 'assistant', content: 'ok' }, { role: 'user', content: lastContent as Msg['content'] });
    expect(compressRequest(JSON.stringify(b), { store }).query).toBe(expected);
    expect(compressRequest(JSON.stringify(b), { store, query: 'given' }).query).toBe('given');
  });

  it.each(['', '{', '{"messages": [', 'not json', '{"messages": []} trailing', "{'a':1}"])('malformed JSON %j throws SyntaxError', (raw) => {
    expect(() => compressRequest(raw, { store })).toThrow(SyntaxError);
  });
});
