import { describe, expect, it } from 'vitest';
import { CacheSimError, FIVE_MINUTES, ONE_HOUR, PromptCacheSim, anthropicMinimum, inputUsd } from '../../src/bench/cache-sim.js';
import { promptBlocks } from '../../src/bench/prompt-blocks.js';
import { encodeTokens } from '../../src/compress/tokens.js';

/** About n tokens of text (" alpha" is one o200k token), distinct per label. */
const filler = (label: string, n: number): string => `${label}:` + ' alpha'.repeat(n);
const cc = (ttl?: '1h') => ({ type: 'ephemeral', ...(ttl ? { ttl } : {}) });
const tokensOf = (format: 'anthropic' | 'openai-responses' | 'openai-chat', body: object): number =>
  promptBlocks(format, body).reduce((n, b) => n + encodeTokens(b.text).length, 0);

/** A Claude Code-like request: a big system prompt with a breakpoint, then turns, the last marked. */
function claudeRequest(turns: number, opts: { model?: string; systemTokens?: number; systemTtl?: '1h'; mark?: boolean } = {}): object {
  const messages = Array.from({ length: turns }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: [{ type: 'text', text: filler(`turn ${i}`, 300), ...(opts.mark !== false && i === turns - 1 ? { cache_control: cc() } : {}) }],
  }));
  return {
    model: opts.model ?? 'claude-sonnet-4-5',
    system: [{ type: 'text', text: filler('system', opts.systemTokens ?? 2000), cache_control: cc(opts.systemTtl) }],
    messages,
  };
}

describe('Anthropic prompt cache', () => {
  it('writes the prefix through each breakpoint, then reads it, and bills the rest as input', () => {
    const sim = new PromptCacheSim();
    const first = sim.anthropic(claudeRequest(1), 0);
    expect(first.cacheRead).toBe(0);
    expect(first.cacheWrite5m).toBe(first.totalInput);
    expect(first.uncached).toBe(0);
    expect(first.totalInput).toBe(tokensOf('anthropic', claudeRequest(1)));
    // The next turn extends the conversation: all of the first request is read, the new turns written.
    const second = sim.anthropic(claudeRequest(3), 1000);
    expect(second.cacheRead).toBe(first.totalInput);
    expect(second.cacheWrite5m).toBe(second.totalInput - first.totalInput);
    // Unmarked content after the last breakpoint is plain input.
    const unmarked = claudeRequest(4, { mark: false });
    const third = sim.anthropic(unmarked, 2000);
    expect(third.cacheWrite5m).toBe(0);
    expect(third.cacheRead).toBeGreaterThan(0);
    expect(third.uncached).toBe(third.totalInput - third.cacheRead);
  });

  it('misses when a block before the breakpoint changes', () => {
    const sim = new PromptCacheSim();
    const a = claudeRequest(3) as { messages: Array<{ content: Array<{ text: string }> }> };
    sim.anthropic(a, 0);
    const b = structuredClone(a);
    b.messages[0]!.content[0]!.text += ' changed';
    const u = sim.anthropic(b, 1000);
    // Only the system prompt's own breakpoint still matches.
    expect(u.cacheRead).toBe(tokensOf('anthropic', { system: (a as unknown as { system: object[] }).system }));
    expect(u.cacheWrite5m).toBe(u.totalInput - u.cacheRead);
  });

  it('caches nothing below the model minimum', () => {
    expect(anthropicMinimum('claude-sonnet-4-5-20250929')).toBe(1024);
    expect(anthropicMinimum('claude-haiku-4-5')).toBe(4096);
    expect(anthropicMinimum('claude-opus-4-5-20251101')).toBe(4096);
    expect(anthropicMinimum('claude-3-5-haiku-latest')).toBe(2048);
    const small = { model: 'claude-sonnet-4-5', system: [{ type: 'text', text: filler('s', 900), cache_control: cc() }], messages: [{ role: 'user', content: 'hi' }] };
    const sim = new PromptCacheSim();
    for (const t of [0, 1000]) {
      const u = sim.anthropic(small, t);
      expect(u).toMatchObject({ cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 });
      expect(u.uncached).toBe(u.totalInput);
    }
    // 3,000 tokens are enough for Sonnet 4.5 but not for Haiku 4.5.
    const mid = (model: string) => ({ model, system: [{ type: 'text', text: filler('s', 3000), cache_control: cc() }], messages: [{ role: 'user', content: 'hi' }] });
    expect(new PromptCacheSim().anthropic(mid('claude-sonnet-4-5'), 0).cacheWrite5m).toBeGreaterThan(3000);
    expect(new PromptCacheSim().anthropic(mid('claude-haiku-4-5'), 0).cacheWrite5m).toBe(0);
  });

  it('keeps a 5-minute entry for 5 minutes after its last use, and a 1-hour entry for an hour', () => {
    const sim = new PromptCacheSim();
    const req = claudeRequest(1);
    sim.anthropic(req, 0);
    expect(sim.anthropic(req, FIVE_MINUTES - 1).cacheRead).toBeGreaterThan(0);
    // That read restarted the lifetime.
    expect(sim.anthropic(req, 2 * FIVE_MINUTES - 2).cacheRead).toBeGreaterThan(0);
    expect(sim.anthropic(req, 3 * FIVE_MINUTES).cacheRead).toBe(0);

    const long = new PromptCacheSim();
    const system1h = claudeRequest(1, { systemTtl: '1h', mark: false });
    const w = long.anthropic(system1h, 0);
    expect(w.cacheWrite1h).toBeGreaterThan(0);
    expect(w.cacheWrite5m).toBe(0);
    expect(long.anthropic(system1h, 50 * 60_000).cacheRead).toBe(w.cacheWrite1h);
    expect(long.anthropic(system1h, 50 * 60_000 + ONE_HOUR).cacheRead).toBe(0);
  });

  it('splits a write between a 1-hour and a 5-minute breakpoint', () => {
    const sim = new PromptCacheSim();
    const u = sim.anthropic(claudeRequest(2, { systemTtl: '1h' }), 0);
    const system = tokensOf('anthropic', { system: [{ type: 'text', text: filler('system', 2000) }] });
    expect(u.cacheWrite1h).toBe(system);
    expect(u.cacheWrite5m).toBe(u.totalInput - system);
  });

  it('refuses more than 4 breakpoints and a 1-hour breakpoint after a 5-minute one', () => {
    const sim = new PromptCacheSim();
    const five = { model: 'claude-sonnet-4-5', messages: Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: [{ type: 'text', text: `m${i}`, cache_control: cc() }] })) };
    expect(() => sim.anthropic(five, 0)).toThrow(CacheSimError);
    const order = { model: 'claude-sonnet-4-5', system: [{ type: 'text', text: 's', cache_control: cc() }], messages: [{ role: 'user', content: [{ type: 'text', text: 'm', cache_control: cc('1h') }] }] };
    expect(() => sim.anthropic(order, 0)).toThrow(/1h/);
  });

  it('finds an earlier breakpoint within 20 blocks before the current one, not further', () => {
    // Turn 1 marks its last message; turn 2 marks a message 10 blocks later: the first prefix is read.
    const sim = new PromptCacheSim();
    const first = sim.anthropic(claudeRequest(4, { systemTokens: 50 }), 0);
    const near = sim.anthropic(claudeRequest(14, { systemTokens: 50 }), 1000);
    expect(near.cacheRead).toBe(first.totalInput);
    // 24 blocks later is out of reach of the lookback (the system breakpoint is too short to cache).
    const far = new PromptCacheSim();
    far.anthropic(claudeRequest(4, { systemTokens: 50 }), 0);
    expect(far.anthropic(claudeRequest(28, { systemTokens: 50 }), 1000).cacheRead).toBe(0);
  });

  it('marks the last block itself with a top-level cache_control (automatic caching)', () => {
    const sim = new PromptCacheSim();
    const req = { ...claudeRequest(3, { mark: false }), cache_control: cc() };
    const w = sim.anthropic(req, 0);
    expect(w.cacheWrite5m).toBe(w.totalInput);
    expect(sim.anthropic(req, 1).cacheRead).toBe(w.totalInput);
  });

  it('keeps caches of different models apart', () => {
    const sim = new PromptCacheSim();
    sim.anthropic(claudeRequest(1, { model: 'claude-sonnet-4-5' }), 0);
    expect(sim.anthropic(claudeRequest(1, { model: 'claude-opus-4-1' }), 1).cacheRead).toBe(0);
  });

  it('prices writes at 1.25x and 2x and reads at the cached-input price', () => {
    const price = { input: 3, cachedInput: 0.3, output: 15 };
    const usd = inputUsd({ totalInput: 4e6, uncached: 1e6, cacheRead: 1e6, cacheWrite5m: 1e6, cacheWrite1h: 1e6 }, price);
    expect(usd).toBeCloseTo(3 + 0.3 + 3.75 + 6, 10);
  });
});

describe('OpenAI prompt cache', () => {
  const responses = (items: number, model = 'gpt-5-codex', extra: object = {}) => ({
    model,
    instructions: filler('instructions', 1500),
    input: Array.from({ length: items }, (_, i) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text: filler(`item ${i}`, 200) }] })),
    ...extra,
  });

  it('reads the shared prefix in steps of 128 tokens from 1,024, and reports the total', () => {
    const sim = new PromptCacheSim();
    const first = sim.openai('openai-responses', responses(1), 0);
    expect(first.cacheRead).toBe(0);
    expect(first.totalInput).toBe(tokensOf('openai-responses', responses(1)));
    const second = sim.openai('openai-responses', responses(3), 1000);
    // The whole first prompt is shared; the hit is rounded down to 1,024 + k x 128.
    expect(second.cacheRead).toBeLessThanOrEqual(first.totalInput);
    expect(first.totalInput - second.cacheRead).toBeLessThan(128);
    expect((second.cacheRead - 1024) % 128).toBe(0);
    expect(second.uncached).toBe(second.totalInput - second.cacheRead);
  });

  it('caches nothing for prompts under 1,024 tokens', () => {
    const sim = new PromptCacheSim();
    const short = { model: 'gpt-5', messages: [{ role: 'user', content: filler('q', 900) }] };
    sim.openai('openai-chat', short, 0);
    expect(sim.openai('openai-chat', short, 1).cacheRead).toBe(0);
    const long = { model: 'gpt-5', messages: [{ role: 'user', content: filler('q', 1300) }] };
    sim.openai('openai-chat', long, 2);
    const hit = sim.openai('openai-chat', { ...long, messages: [...long.messages, { role: 'user', content: 'next' }] }, 3).cacheRead;
    expect(hit).toBeGreaterThanOrEqual(1024);
    expect((hit - 1024) % 128).toBe(0);
  });

  it('forgets a prompt 5 minutes after its last use, or 24 hours with extended retention', () => {
    const sim = new PromptCacheSim();
    sim.openai('openai-responses', responses(2), 0);
    expect(sim.openai('openai-responses', responses(2), FIVE_MINUTES - 1).cacheRead).toBeGreaterThan(0);
    expect(sim.openai('openai-responses', responses(2), 3 * FIVE_MINUTES).cacheRead).toBe(0);
    const ext = new PromptCacheSim();
    const req = responses(2, 'gpt-5', { prompt_cache_retention: '24h' });
    ext.openai('openai-responses', req, 0);
    expect(ext.openai('openai-responses', req, 23 * ONE_HOUR).cacheRead).toBeGreaterThan(0);
  });

  it('misses from the first changed token on', () => {
    const sim = new PromptCacheSim();
    sim.openai('openai-responses', responses(3), 0);
    const changed = responses(3);
    changed.instructions += ' changed';
    const u = sim.openai('openai-responses', changed, 1);
    // Only the part before the instructions' end can match; the instructions are 1,500 tokens.
    expect(u.cacheRead).toBeLessThanOrEqual(1536);
  });
});
