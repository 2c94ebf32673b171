import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ledger, type LedgerRecord } from '../../src/proxy/ledger.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';

// `headroom mcp serve` end to end: the SDK's own client over stdio against the built CLI,
// a temp HEADROOM_HOME (CCR store, ledger, LanceDB memory) and a project with a git remote.

const CLI = join(ROOT, 'dist/cli.js');
let home: string;
let project: string;
let client: Client | undefined;

beforeAll(() => buildDist(), 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-mcp-'));
  project = join(home, 'shop');
  fs.mkdirSync(project);
  spawnSync('git', ['init', '-q', project]);
  spawnSync('git', ['-C', project, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git']);
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  fs.rmSync(home, { recursive: true, force: true });
});

async function connect(name: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', 'serve'],
    cwd: project,
    env: { PATH: process.env.PATH ?? '', HOME: home, HEADROOM_HOME: join(home, 'hr'), HEADROOM_USER: 'ada', HEADROOM_EMBEDDER: 'use-lite' },
    stderr: 'pipe',
  });
  client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const textOf = (r: Awaited<ReturnType<Client['callTool']>>) => (r.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

function buildLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) lines.push(`2026-11-21T09:${String(i % 60).padStart(2, '0')}:00Z INFO worker-${i % 7} processed batch ${i} in ${100 + (i % 13)} ms`);
  lines.splice(271, 0, '2026-11-21T09:31:00Z ERROR worker-3 deadlock detected on table orders (txn 88123)');
  return lines.join('\n') + '\n';
}

describe('headroom mcp serve', () => {
  it('lists its tools', async () => {
    const c = await connect('test-client');
    const names = (await c.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['headroom_compress', 'headroom_retrieve', 'headroom_stats', 'memory_save', 'memory_search']);
  });

  it('compresses, then gives back the original and its matching part by key', async () => {
    const c = await connect('test-client');
    const log = buildLog();
    const r = await c.callTool({ name: 'headroom_compress', arguments: { content: log, query: 'deadlock' } });
    const s = r.structuredContent as { tokensBefore: number; tokensAfter: number; retrievalKeys: string[] };
    expect(s.tokensAfter).toBeLessThan(s.tokensBefore);
    expect(s.retrievalKeys.length).toBeGreaterThan(0);
    expect(textOf(r)).toContain(s.retrievalKeys[0]);
    expect(textOf(r).length).toBeLessThan(log.length);

    const key = s.retrievalKeys[0]!;
    const whole = await c.callTool({ name: 'headroom_retrieve', arguments: { key } });
    expect(textOf(whole)).toBe(log);
    const part = await c.callTool({ name: 'headroom_retrieve', arguments: { key, query: 'deadlock orders' } });
    expect(textOf(part)).toContain('deadlock detected on table orders');
    expect(textOf(part).length).toBeLessThan(log.length / 4);

    const unknown = await c.callTool({ name: 'headroom_retrieve', arguments: { key: '0123456789abcdef' } });
    expect(textOf(unknown)).toContain('no original is stored');
  });

  it('saves a memory with the client as its agent and finds it again', async () => {
    const c = await connect('cursor-like');
    const saved = await c.callTool({ name: 'memory_save', arguments: { text: 'The staging database listens on port 5433' } });
    expect(textOf(saved)).toMatch(/^Saved as memory \S+/);
    const found = await c.callTool({ name: 'memory_search', arguments: { query: 'staging database port', k: 3 } });
    expect(textOf(found)).toContain('port 5433');
    expect(textOf(found)).toContain('cursor-like');

    // The CLI reads the same memory: the project and provenance are real.
    const listed = spawnSync(process.execPath, [CLI, 'memory', 'list', '--json'], { cwd: project, env: { ...process.env, HOME: home, HEADROOM_HOME: join(home, 'hr'), HEADROOM_USER: 'ada', HEADROOM_EMBEDDER: 'use-lite' } });
    const rows = listed.stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; agents: string[]; source: string });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ text: 'The staging database listens on port 5433', agents: ['cursor-like'], source: 'tool' });
  }, 60_000);

  it('totals the ledger for stats', async () => {
    const c = await connect('test-client');
    const empty = await c.callTool({ name: 'headroom_stats', arguments: {} });
    expect(empty.structuredContent).toMatchObject({ requests: 0, tokensSaved: 0 });

    const ledger = new Ledger(join(home, 'hr', 'ledger'));
    const base: LedgerRecord = { time: '2026-11-20T10:00:00.000Z', agent: 'claude', provider: 'anthropic', model: 'm', session: 's', status: 200, tokensBefore: 1000, tokensAfter: 400, savedFresh: 600, inputTokens: 400, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0, retrievals: 1, toolCalls: 0, recalled: 0, ms: 5 };
    await ledger.append(base);
    await ledger.append({ ...base, time: '2026-11-21T10:00:00.000Z', tokensBefore: 500, tokensAfter: 500, retrievals: 0 });
    fs.appendFileSync(join(home, 'hr', 'ledger', '2026-11-21.jsonl'), '{"torn');
    const r = await c.callTool({ name: 'headroom_stats', arguments: {} });
    expect(r.structuredContent).toMatchObject({ requests: 2, tokensBefore: 1500, tokensAfter: 900, tokensSaved: 600, retrievals: 1, skipped: 1 });
    expect(textOf(r)).toContain('600 saved');
  });
});
