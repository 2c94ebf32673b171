import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentRecognition } from '../../src/agents/index.js';
import { PromptCacheSim } from '../../src/bench/cache-sim.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import type { ProxyEvent } from '../../src/proxy/events.js';
import { startProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type ModelCall } from '../helpers/fake-upstream.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-cache-guard-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const workload = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as { messages: Array<{ content: Array<{ type: string; content?: string }> }> };
const log = workload.messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!;
const lines = log.split('\n');
/** The n-th tool output: a twentieth of the recorded log, so each is new and compresses a little. */
const output = (n: number) => lines.filter((_, i) => i % 20 === n).join('\n');
// Claude Code's own system prompt and tools: a long cached prefix, as in a real session.
const claude = JSON.parse(readFileSync('fixtures/wire/claude-tool/002-POST-_v1_messages.json', 'utf8')) as { body: { system: unknown; tools: unknown } };

/** Claude Code's shape: one tool result per turn, the newest marked for caching. */
function body(turns: number): Record<string, unknown> {
  const messages: unknown[] = [{ role: 'user', content: 'Why did postgres crash?' }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Bash', input: { command: `grep part ${i} postgres.log` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: output(i), ...(i === turns - 1 ? { cache_control: { type: 'ephemeral' } } : {}) }] });
  }
  return { model: 'claude-sonnet-4-5', max_tokens: 256, system: claude.body.system, tools: claude.body.tools, messages };
}

describe('cache guard through the proxy', () => {
  it('stops compressing new outputs after busts cost more than the saving, replaying what it compressed before', async () => {
    // The provider loses its cache before every request (a simulated cache started afresh each
    // time): every request writes the prefix the previous one should have left to read.
    const fake = await startFakeUpstream((call: ModelCall) => {
      const u = new PromptCacheSim().anthropic(call.request.json, Date.now());
      return { text: 'Looking.', usage: { input: u.uncached, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite5m + u.cacheWrite1h, output: 3 } };
    });
    const events: ProxyEvent[] = [];
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store: new FileCcrStore(join(home, 'ccr')), ledgerDir: false, onEvent: (e) => events.push(e) });
    try {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'x-headroom-session': 'guarded' } });
      let turns = 0;
      while (!events.some((e) => e.type === 'guard-stopped') && turns < 3) await client.messages.create(body(++turns) as never);
      expect(events.some((e) => e.type === 'cache-bust' && e.bust.reason === 'cache-write')).toBe(true);
      expect(events.some((e) => e.type === 'guard-stopped')).toBe(true);
      const log = events.flatMap((e) => (e.type === 'log' ? [e.line] : []));
      expect(log.some((l) => /cache guard, conversation headroom:guarded: .*bust.*new outputs go as they are/.test(l))).toBe(true);

      const before = fake.modelRequests().at(-1)!.json as { messages: Array<{ content: unknown }> };
      await client.messages.create(body(turns + 1) as never);
      const after = fake.modelRequests().at(-1)!.json as { messages: Array<{ content: Array<{ content: string }> }> };
      // Outputs compressed before the stop are replayed byte for byte; the new one goes as it is.
      expect(JSON.stringify(after.messages.slice(0, before.messages.length))).toBe(JSON.stringify(before.messages).replace(/,"cache_control":\{"type":"ephemeral"\}/g, ''));
      expect(after.messages.at(-1)!.content[0]!.content).toBe(output(turns));
      expect((after.messages[2]!.content as Array<{ content: string }>)[0]!.content.length).toBeLessThan(output(0).length);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
