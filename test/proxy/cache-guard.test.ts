import { describe, expect, it } from 'vitest';
import { PromptCacheSim } from '../../src/bench/cache-sim.js';
import { anthropic } from '../../src/providers/index.js';
import { CacheGuard, requestBlocks, type GuardPrice } from '../../src/proxy/cache-guard.js';

const LOG = Array.from({ length: 400 }, (_, i) => `2026-12-07T01:00:${String(i % 60).padStart(2, '0')} INFO worker ${i} finished batch ${i * 7} in ${i % 13} ms`).join('\n');
const SYSTEM = 'You are a coding agent. '.repeat(200);
// Sonnet 4.5: $3 input, $0.30 cached, writes at 1.25x (USD per token).
const PRICE: GuardPrice = { input: 3e-6, cachedInput: 0.3e-6, writeFactor: 1.25 };

/** An Anthropic body of `turns` tool results (the newest marked for caching, as Claude Code does), each output given by `output(i)`. */
function body(turns: number, output: (i: number) => string): string {
  const messages: unknown[] = [{ role: 'user', content: 'Look at the worker logs.' }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'Bash', input: { command: `cat log${i}` } }] });
    const last = i === turns - 1;
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: output(i), ...(last ? { cache_control: { type: 'ephemeral' } } : {}) }] });
  }
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, system: SYSTEM, messages });
}

/** Runs requests through the simulated cache and the guard; `forwarded(turn)` is what headroom sent for the client's `client(turn)`. */
function session(turns: number, client: (n: number) => string, forwarded: (n: number) => string, savedUsd: number) {
  const sim = new PromptCacheSim();
  const guard = new CacheGuard();
  const verdicts = [];
  for (let n = 1; n <= turns; n++) {
    const c = client(n);
    const f = forwarded(n);
    const u = sim.anthropic(JSON.parse(f), n * 10_000);
    const fb = requestBlocks(anthropic.read(f));
    verdicts.push(
      guard.observe({
        client: requestBlocks(anthropic.read(c)).hashes,
        forwarded: fb.hashes,
        forwardedBytes: fb.bytes,
        usage: { input: u.uncached, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite5m + u.cacheWrite1h, output: 10 },
        at: n * 10_000,
        savedUsd,
        price: PRICE,
      }),
    );
  }
  return { guard, verdicts };
}

describe('cache guard', () => {
  it('sees no bust when headroom replays its bytes (the simulated cache reads the whole previous prefix)', () => {
    const client = (n: number) => body(n, (i) => `${LOG}\nrun ${i}`);
    const forwarded = (n: number) => body(n, (i) => `compressed run ${i}`);
    const { guard, verdicts } = session(4, client, forwarded, 0.001);
    expect(verdicts.every((v) => !v.bust && !v.stoppedNow)).toBe(true);
    expect(guard.busts).toBe(0);
    expect(guard.stopped).toBeUndefined();
  });

  it('counts a bust when a replayed output changes, and stops compression once busts cost more than the saving', () => {
    const client = (n: number) => body(n, (i) => `${LOG}\nrun ${i}`);
    // Turn 3 forwards the first output with other bytes than turns 1 and 2 did.
    const forwarded = (n: number) => body(n, (i) => (i === 0 && n >= 3 ? `${LOG}\nrun ${i}` : `compressed run ${i}`));
    const { guard, verdicts } = session(4, client, forwarded, 0.0001);
    expect(verdicts[2]!.bust?.reason).toBe('prefix-changed');
    expect(verdicts[2]!.bust!.tokens).toBeGreaterThan(0);
    expect(verdicts[2]!.stoppedNow).toBe(true);
    expect(verdicts[3]).toEqual({ stoppedNow: false });
    expect(guard.stopped).toMatch(/bust/);
  });

  it('counts a cache write where the previous prefix should have been read, but not a bust the client caused', () => {
    const client = (n: number) => body(n, (i) => `${LOG}\nrun ${i}`);
    const forwarded = (n: number) => body(n, (i) => `compressed run ${i}`);
    const sim = new PromptCacheSim();
    const guard = new CacheGuard();
    const observe = (c: string, f: string, at: number, usage = sim.anthropic(JSON.parse(f), at)) => {
      const fb = requestBlocks(anthropic.read(f));
      return guard.observe({ client: requestBlocks(anthropic.read(c)).hashes, forwarded: fb.hashes, forwardedBytes: fb.bytes, usage: { input: usage.uncached, cacheRead: usage.cacheRead, cacheWrite: usage.cacheWrite5m, output: 1 }, at, savedUsd: 1, price: PRICE });
    };
    expect(observe(client(1), forwarded(1), 0).bust).toBeUndefined();
    // The provider lost the entry (another machine): it writes the whole prefix again.
    const lost = new PromptCacheSim().anthropic(JSON.parse(forwarded(2)), 1_000);
    expect(observe(client(2), forwarded(2), 1_000, lost).bust?.reason).toBe('cache-write');
    // The client rewrote its own first turn: not headroom's doing.
    const edited = body(3, (i) => `${LOG}\nedited ${i}`);
    expect(observe(edited, edited, 2_000).bust).toBeUndefined();
    expect(guard.busts).toBe(1);
    expect(guard.stopped).toBeUndefined();
  });
});
