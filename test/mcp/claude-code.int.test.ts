import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { runClaude } from '../helpers/agent-cli.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

// The real Claude Code CLI runs `headroom mcp serve` from an --mcp-config and calls
// headroom_retrieve when the (fake) model asks for it; the original comes back to the model.

const CLI = join(ROOT, 'dist/cli.js');
const TOOL = 'mcp__headroom__headroom_retrieve';
let home: string | undefined;
let fake: FakeUpstream | undefined;

beforeAll(() => buildDist(), 120_000);
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('headroom mcp serve under Claude Code', () => {
  it('answers the model\'s headroom_retrieve call with the stored original', async () => {
    home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-mcpclaude-'));
    const hr = join(home, 'hr');
    const original = Array.from({ length: 50 }, (_, i) => `line ${i}: ${i === 37 ? 'NEEDLE-7f3a the retry budget is 12' : 'nothing to see'}`).join('\n');
    const key = new FileCcrStore(join(hr, 'ccr')).put(original);

    fake = await startFakeUpstream((call) => {
      const fromTool = call.toolOutputs.find((t) => t.includes('NEEDLE-7f3a'));
      if (fromTool) return `FINAL: ${fromTool.match(/NEEDLE-7f3a[^\n]*/)![0]}`;
      if (call.toolNames.includes(TOOL)) return { toolCalls: [{ name: TOOL, input: { key, query: 'retry budget' } }] };
      return 'no headroom tool offered';
    });
    const mcpConfig = { mcpServers: { headroom: { type: 'stdio', command: process.execPath, args: [CLI, 'mcp', 'serve'], env: { HEADROOM_HOME: hr } } } };
    const run = await runClaude({
      baseUrl: fake.url,
      prompt: 'What is the retry budget?',
      args: ['--mcp-config', JSON.stringify(mcpConfig), '--strict-mcp-config', '--allowedTools', TOOL],
      env: { HEADROOM_HOME: hr },
      timeoutMs: 90_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: NEEDLE-7f3a the retry budget is 12');
  }, 120_000);
});
