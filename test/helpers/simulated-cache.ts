import { CacheSimError, PromptCacheSim, type SimUsage } from '../../src/bench/cache-sim.js';
import { countTokens } from '../../src/compress/tokens.js';
import type { FakeUsage, ModelCall, Reply, UsageHook } from './fake-upstream.js';

/** One model call the fake provider billed through the simulated cache. */
export interface BilledCall {
  /** The fake upstream's call index. */
  index: number;
  format: ModelCall['format'];
  model: string;
  /** The request as the provider got it. */
  body: unknown;
  /** Names of the tools the request declares (main agent turns declare the shell). */
  toolNames: string[];
  usage: SimUsage;
  output: number;
}

export interface SimulatedCache {
  /** Pass as `startFakeUpstream(script, { usage: cache.hook })`. */
  hook: UsageHook;
  billed: BilledCall[];
  sim: PromptCacheSim;
}

/**
 * A fake provider's usage from a simulated prompt cache (src/bench/cache-sim.ts): Anthropic and
 * both OpenAI formats, streamed or not (the fake upstream puts the usage in each format's own
 * fields). A request the real API would refuse (too many breakpoints) gets its 400. Output
 * tokens are headroom's tokenizer over the reply's text and tool-call inputs. Gemini calls are
 * billed as plain input (its implicit cache is not simulated). `clock` gives the time in ms.
 */
export function simulatedCache(clock: () => number = Date.now): SimulatedCache {
  const sim = new PromptCacheSim();
  const billed: BilledCall[] = [];
  const hook: UsageHook = (call, reply) => {
    const output = outputTokens(reply);
    let usage: SimUsage;
    try {
      usage = call.format === 'gemini' ? plain(countTokens(call.request.body)) : sim.request(call.format, call.request.json, clock());
    } catch (err) {
      if (!(err instanceof CacheSimError)) throw err;
      return { error: { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: err.message } } } };
    }
    billed.push({ index: call.index, format: call.format, model: call.model, body: call.request.json, toolNames: call.toolNames, usage, output });
    return fakeUsage(usage, output);
  };
  return { hook, billed, sim };
}

function fakeUsage(u: SimUsage, output: number): FakeUsage {
  return { input: u.uncached, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite5m + u.cacheWrite1h, cacheWrite1h: u.cacheWrite1h, output };
}

function plain(tokens: number): SimUsage {
  return { totalInput: tokens, uncached: tokens, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
}

function outputTokens(reply: Reply): number {
  const calls = (reply.toolCalls ?? []).map((c) => c.freeform ?? JSON.stringify(c.input)).join('');
  return Math.max(1, countTokens((reply.text ?? '') + calls));
}
