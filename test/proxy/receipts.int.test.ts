import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentRecognition } from '../../src/agents/index.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { startProxy, type ProxyOptions } from '../../src/proxy/server.js';
import { startFakeUpstream, type FakeUpstream, type FakeUsage, type ModelCall, type Reply } from '../helpers/fake-upstream.js';
import { PROVIDER_CASES, type ProviderCase } from './provider-cases.js';

/**
 * Receipts: the usage the provider reported for every round of a request, streamed or not, goes
 * into the ledger summed; `--verify` records the provider's count of the body the client sent;
 * `--holdout` sessions pass untouched but recorded. Real SDK clients against the fake provider.
 */
const home = mkdtempSync(join(tmpdir(), 'headroom-receipts-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
let runs = 0;

/** Usage of the fake's n-th model call: distinct per call, so a sum over rounds is checked term by term. */
function usageOf(c: ProviderCase, n: number): FakeUsage {
  return { input: 1_000 + 7 * n, output: 20 + n, cacheRead: 300 + 11 * n, cacheWrite: c.provider === 'anthropic' ? 50 + 13 * n : 0 };
}

/** Runs one request of `c` through a proxy with a ledger; the fake first asks for a retrieval (a second round), then answers. */
async function run(c: ProviderCase, stream: boolean, options: ProxyOptions = {}): Promise<{ lines: LedgerRecord[]; fake: FakeUpstream; usages: FakeUsage[]; sent: string[] }> {
  const ledgerDir = join(home, `ledger-${runs++}`);
  const usages: FakeUsage[] = [];
  const fake = await startFakeUpstream((call: ModelCall): Reply => {
    const usage = usageOf(c, call.index);
    usages.push(usage);
    const offered = call.toolNames.includes('headroom_retrieve');
    return call.index === 0 && offered ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: 'no-such-key' } }], usage } : { text: 'Done.', usage };
  });
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store: new FileCcrStore(join(home, 'ccr')), ledgerDir, ...options });
  const sent: string[] = [];
  try {
    const answer = await c.send(proxy.url, c.firstTurn(), stream, sent);
    expect(answer.text).toContain('Done.');
  } finally {
    await proxy.close();
    await fake.close();
  }
  const lines = readdirSync(ledgerDir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => readFileSync(join(ledgerDir, n), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
  return { lines, fake, usages, sent };
}

const sum = (us: FakeUsage[], k: keyof FakeUsage) => us.reduce((s, u) => s + (u[k] ?? 0), 0);

describe.each(PROVIDER_CASES)('receipts: $provider', (c) => {
  it.each([false, true])('stream %s: the ledger line is the exact sum of the usage the provider reported over the rounds', async (stream) => {
    const { lines, usages } = await run(c, stream);
    expect(lines).toHaveLength(1);
    expect(usages.length).toBe(2);
    expect(lines[0]).toMatchObject({ inputTokens: sum(usages, 'input'), cacheReadTokens: sum(usages, 'cacheRead'), cacheWriteTokens: sum(usages, 'cacheWrite'), outputTokens: sum(usages, 'output') });
    expect(lines[0]!.verifiedInputTokens).toBeUndefined();
    expect(lines[0]!.group).toBeUndefined();
  });

  it("--verify: the ledger holds the count endpoint's count of the body the client sent", async () => {
    const { lines, fake, sent } = await run(c, true, { verify: true });
    if (c.provider === 'openai-chat') {
      expect(fake.counted).toEqual([]);
      expect(lines[0]!.verifiedInputTokens).toBeUndefined();
      return;
    }
    expect(fake.counted).toHaveLength(1);
    expect(lines[0]!.verifiedInputTokens).toBe(fake.counted[0]!.tokens);
    // The count is of the client's own conversation, not of what headroom forwarded.
    const original = JSON.parse(sent[0]!) as Record<string, unknown>;
    const counted = fake.counted[0]!.json as Record<string, unknown>;
    const conversation = c.provider === 'gemini' ? (counted.generateContentRequest as Record<string, unknown>).contents : counted[c.listKey];
    expect(conversation).toEqual(original[c.listKey]);
    expect(JSON.stringify(counted)).not.toContain('headroom_retrieve');
  });

  it.each([false, true])('--holdout 100, stream %s: the session passes untouched, its receipt recorded in the holdout group', async (stream) => {
    const { lines, fake, sent, usages } = await run(c, stream, { holdout: 100 });
    expect(fake.modelRequests()[0]!.body).toBe(sent[0]);
    expect(lines[0]).toMatchObject({ group: 'holdout', tokensBefore: 0, tokensAfter: 0, inputTokens: sum(usages, 'input'), outputTokens: sum(usages, 'output') });
  });
});
