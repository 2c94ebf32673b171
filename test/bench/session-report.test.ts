import { describe, expect, it } from 'vitest';
import { PromptCacheSim } from '../../src/bench/cache-sim.js';
import { compareSession, prefixRewrites, sessionBill, sessionTable, type BilledRequest } from '../../src/bench/session-report.js';

const PRICE = { input: 3, cachedInput: 0.3, output: 15 };
const tools = [{ name: 'Bash', input_schema: { type: 'object' } }];
const system = [{ type: 'text', text: 'system:' + ' alpha'.repeat(1500), cache_control: { type: 'ephemeral' } }];

/** An agent's conversation after n tool rounds, each output as the given function renders it, the last block marked for caching. */
function conversation(n: number, output: (i: number) => string): object[] {
  const messages: Array<{ role: string; content: Array<Record<string, unknown>> }> = [{ role: 'user', content: [{ type: 'text', text: 'look around' }] }];
  for (let i = 0; i < n; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: { command: `cmd ${i}` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: output(i) }] });
  }
  const last = messages[messages.length - 1]!.content;
  last[last.length - 1] = { ...last[last.length - 1], cache_control: { type: 'ephemeral' } };
  return messages;
}

/** Bills a session of `turns` agent turns through one simulator, each turn one second apart. */
function session(turns: number, output: (turn: number, i: number) => string, extra: Array<{ at: number; body: object }> = []): BilledRequest[] {
  const sim = new PromptCacheSim();
  const out: BilledRequest[] = [];
  for (let t = 0; t < turns; t++) {
    const body = { model: 'claude-sonnet-4-5', tools, system, messages: conversation(t, (i) => output(t, i)) };
    out.push({ format: 'anthropic', model: 'claude-sonnet-4-5', body, main: true, usage: sim.anthropic(body, t * 1000), output: 10 });
    for (const e of extra.filter((x) => x.at === t)) out.push({ format: 'anthropic', model: 'claude-sonnet-4-5', body: e.body, main: true, usage: sim.anthropic(e.body, t * 1000 + 500), output: 10 });
  }
  return out;
}

const stable = (_turn: number, i: number) => `output ${i}:` + ' beta'.repeat(200);

describe('session bill', () => {
  it('sums the usage by class and prices it', () => {
    const reqs = session(4, stable);
    const bill = sessionBill(reqs, PRICE);
    expect(bill.requests).toBe(4);
    expect(bill.cacheRead).toBe(reqs.reduce((n, r) => n + r.usage.cacheRead, 0));
    expect(bill.cacheWrite5m).toBe(reqs.reduce((n, r) => n + r.usage.cacheWrite5m, 0));
    expect(bill.output).toBe(40);
    const total = reqs.reduce((n, r) => n + r.usage.totalInput, 0);
    expect(bill.hitRate).toBeCloseTo(bill.cacheRead / total, 12);
    expect(bill.usd).toBeCloseTo(bill.inputUsd + (40 * 15) / 1e6, 12);
    expect(bill.rewrites).toBe(0);
  });

  it('counts a turn whose earlier tool output changed as a rewrite, and as a bust when the other run had none', () => {
    // From turn 3 on, the first output is sent differently: the prefix changes inside the conversation.
    const rewritten = session(5, (turn, i) => (i === 0 && turn >= 3 ? 'shorter' : stable(turn, i)));
    expect(prefixRewrites(rewritten)).toBe(1);
    const c = compareSession({ session: 's', agent: 'claude', pricedAs: 'claude-sonnet-4-5', retrievals: 0 }, session(5, stable), rewritten, PRICE);
    expect(c.busts).toBe(1);
    // The bust shows in the bill: the rewritten turn wrote again what the stable run read.
    expect(c.with.cacheWrite5m).toBeGreaterThan(c.without.cacheWrite5m);
  });

  it('does not count the proxy answering headroom_retrieve as a rewrite', () => {
    const retrieveRound = {
      model: 'claude-sonnet-4-5',
      tools,
      system,
      messages: [
        ...conversation(2, (i) => stable(2, i)),
        { role: 'assistant', content: [{ type: 'tool_use', id: 'r1', name: 'headroom_retrieve', input: { key: '0123456789abcdef' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'r1', content: 'the original' }] },
      ],
    };
    expect(prefixRewrites(session(5, stable, [{ at: 2, body: retrieveRound }]))).toBe(0);
  });

  it('prints one row per mode and a saving row per session', () => {
    const c = compareSession({ session: 'explore', agent: 'codex', pricedAs: 'gpt-5-codex', retrievals: 1 }, session(3, stable), session(3, stable), PRICE);
    expect(c.saving).toBeCloseTo(0, 12);
    const lines = sessionTable([c]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^explore\s+codex\s+gpt-5-codex\s+headroom\s+3\s/);
    expect(lines[3]).toMatch(/saving\s+0\.0%\s+0\.0%$/);
  });
});
