import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRecognition } from '../src/agents/index.js';
import { FileCcrStore } from '../src/compress/ccr-store.js';
import type { LedgerRecord } from '../src/proxy/ledger.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../src/proxy/server.js';
import { runClaude, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, type FakeUpstream, type FakeUsage, type ModelCall } from './helpers/fake-upstream.js';

// The real Claude Code CLI, offline, through the proxy to the fake provider: every request's
// receipt in the ledger is the provider's usage, --verify counts every rewritten request at the
// count endpoint, and a --holdout session keeps its group on every request and goes untouched.

const logCommand = `seq 1 600 | awk '{ printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }'`;

let fake: FakeUpstream | undefined;
let proxy: RunningProxy | undefined;
let home: string | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  proxy = fake = home = undefined;
});

/** One Claude Code session; returns the ledger lines and the usage the fake reported for each model call. */
async function session(options: ProxyOptions): Promise<{ lines: LedgerRecord[]; usages: FakeUsage[]; fake: FakeUpstream }> {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-agent-receipts-'));
  const usages: FakeUsage[] = [];
  const script = shellThenAnswer(logCommand, () => 'FINAL: read the log');
  fake = await startFakeUpstream(async (call: ModelCall) => {
    const reply = await script(call);
    const usage = { input: 900 + 17 * call.index, output: 40 + call.index, cacheRead: 5_000 + 101 * call.index, cacheWrite: 700 + 29 * call.index };
    usages.push(usage);
    return typeof reply === 'string' ? { text: reply, usage } : { ...reply, usage };
  });
  const ledgerDir = join(home, 'ledger');
  proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store: new FileCcrStore(join(home, 'ccr')), ledgerDir, ...options });
  const run = await runClaude({ baseUrl: proxy.url, prompt: 'Check the app log.' });
  expect(run.stdout).toContain('FINAL: read the log');
  await proxy.close();
  proxy = undefined;
  const lines = fs
    .readdirSync(ledgerDir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => fs.readFileSync(join(ledgerDir, n), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
  return { lines, usages, fake };
}

const total = (xs: readonly object[], k: string) => xs.reduce((s, x) => s + (((x as Record<string, unknown>)[k] as number | undefined) ?? 0), 0);

describe('receipts from a real Claude Code session', () => {
  it('--verify: the ledger sums exactly the usage the provider reported, and holds the count endpoint\'s count for every rewritten request', async () => {
    const { lines, usages, fake } = await session({ verify: true });
    expect(lines.length).toBe(usages.length);
    expect(total(lines, 'inputTokens')).toBe(total(usages, 'input'));
    expect(total(lines, 'cacheReadTokens')).toBe(total(usages, 'cacheRead'));
    expect(total(lines, 'cacheWriteTokens')).toBe(total(usages, 'cacheWrite'));
    expect(total(lines, 'outputTokens')).toBe(total(usages, 'output'));
    const verified = lines.filter((l) => l.verifiedInputTokens !== undefined);
    expect(verified.length).toBe(fake.counted.length);
    expect(verified.length).toBeGreaterThan(0);
    expect(verified.map((l) => l.verifiedInputTokens).sort()).toEqual(fake.counted.map((c) => c.tokens).sort());
  });

  it('--holdout 100: every request of the session is in the holdout group and reaches the provider as Claude Code sent it', async () => {
    const { lines, usages, fake } = await session({ holdout: 100 });
    expect(lines.length).toBe(usages.length);
    expect(new Set(lines.map((l) => l.group))).toEqual(new Set(['holdout']));
    expect(new Set(lines.map((l) => l.session)).size).toBe(1);
    expect(lines.every((l) => l.tokensBefore === 0 && l.tokensAfter === 0)).toBe(true);
    // Nothing added: no headroom_retrieve tool, no marker.
    expect(fake.modelRequests().every((r) => !r.body.includes('headroom_retrieve'))).toBe(true);
    expect(total(lines, 'inputTokens')).toBe(total(usages, 'input'));
  });
});
