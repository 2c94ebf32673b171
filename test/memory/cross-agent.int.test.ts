import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runClaude, runCodex } from '../helpers/agent-cli.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, type FakeUpstream, type ModelCall } from '../helpers/fake-upstream.js';

// The cross-agent promise with the real CLIs, offline: a fact the model saves with memory_save
// in a Codex session (through `headroom wrap codex --memory`) is recalled into a later Claude
// Code session's user turn in the same project, and not in another project or for another user.

const FACT = 'The staging database listens on port 5433';
const dirs: string[] = [];
let upstream: FakeUpstream | undefined;

function tempDir(label: string): string {
  const d = fs.mkdtempSync(join(os.tmpdir(), `headroom-x-${label}-`));
  dirs.push(d);
  return d;
}

/** A git checkout whose origin is `remote` (the project's identity). */
function checkout(remote: string): string {
  const dir = tempDir('repo');
  execFileSync('git', ['init', '-q', dir]);
  execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', remote]);
  return dir;
}

/** The text of the newest user message of an Anthropic request. */
function lastUserText(call: ModelCall): string {
  const messages = (call.request.json as { messages: { role: string; content: string | { type: string; text?: string }[] }[] }).messages;
  const last = messages.filter((m) => m.role === 'user').at(-1)!;
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('\n');
}

beforeAll(() => buildDist());
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('shared memory across agents (real CLIs through headroom wrap --memory)', () => {
  it('Codex saves a fact with memory_save; Claude Code gets it in the same project only, for the same user only', async () => {
    const headroomHome = tempDir('home');
    const shop = checkout('git@github.com:acme/shop.git');

    // 1. Codex: the model calls memory_save; headroom answers it and continues the turn.
    upstream = await startFakeUpstream((call) => {
      const out = call.toolOutputs.at(-1);
      if (out !== undefined) return `FINAL: ${out}`;
      if (call.toolNames.includes('memory_save')) return { toolCalls: [{ name: 'memory_save', input: { text: FACT } }] };
      return 'FINAL: no memory tool offered';
    });
    const codex = await runCodex({
      baseUrl: upstream.url,
      cwd: shop,
      prompt: 'Note where the staging database listens, for later sessions.',
      wrap: { headroomHome, args: ['--memory'], env: { HEADROOM_OPENAI_UPSTREAM: upstream.url, HEADROOM_USER: 'ada' } },
    });
    expect(codex.stderr + codex.stdout).toMatch(/FINAL: Saved as memory [0-9a-f]{12}\./);
    expect(codex.code).toBe(0);
    // headroom offered the tool upstream and answered the call in a continuation request.
    const [first, second] = upstream.modelRequests();
    expect(second!.body).toContain('memory_save');
    expect(first!.json).toMatchObject({ tools: expect.arrayContaining([expect.objectContaining({ name: 'memory_save' })]) });
    await upstream.close();

    // 2-4. Claude Code asks; the fake model says whether the fact came in the user turn.
    const askClaude = async (cwd: string, user: string) => {
      upstream = await startFakeUpstream((call) => {
        const text = lastUserText(call);
        return text.includes('<headroom-memory>') && text.includes(FACT) ? 'FINAL: staging uses port 5433 (from memory)' : 'FINAL: no memory';
      });
      const run = await runClaude({
        baseUrl: upstream.url,
        cwd,
        prompt: 'Which port does the staging database use?',
        wrap: { headroomHome, args: ['--memory'], env: { HEADROOM_ANTHROPIC_UPSTREAM: upstream.url, HEADROOM_USER: user } },
      });
      const request = upstream.modelRequests().at(-1)!.json as { system: unknown; messages: unknown[] };
      await upstream.close();
      return { stdout: run.stdout, request };
    };

    // In another clone of the same repository (HTTPS remote): recalled, never into the system prompt.
    const here = await askClaude(checkout('https://github.com/Acme/shop'), 'ada');
    expect(here.stdout).toContain('FINAL: staging uses port 5433 (from memory)');
    expect(JSON.stringify(here.request.system)).not.toContain('headroom-memory');
    expect(JSON.stringify(here.request.messages)).toContain('codex');
    // Another project: not recalled. The same project for another user: not recalled.
    expect((await askClaude(checkout('git@github.com:acme/blog.git'), 'ada')).stdout).toContain('FINAL: no memory');
    expect((await askClaude(shop, 'bob')).stdout).toContain('FINAL: no memory');
  }, 240_000);

  it('a "remember ..." the user types in a wrapped Claude Code session is saved from its transcript, with its provenance', async () => {
    const headroomHome = tempDir('home');
    const shop = checkout('git@github.com:acme/shop.git');
    upstream = await startFakeUpstream(() => 'FINAL: noted');
    const run = await runClaude({
      baseUrl: upstream.url,
      cwd: shop,
      prompt: 'Remember that deploys to production need the VPN on. Then say noted.',
      wrap: { headroomHome, args: ['--memory'], env: { HEADROOM_ANTHROPIC_UPSTREAM: upstream.url, HEADROOM_USER: 'ada' } },
    });
    expect(run.stdout).toContain('FINAL: noted');
    expect(run.stderr).toMatch(/memory: \d+ recalled into the agent's turns · 1 new saved/);
    const list = execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'memory', 'list', '--json'], { cwd: shop, env: { ...process.env, HEADROOM_HOME: headroomHome, HEADROOM_USER: 'ada' }, encoding: 'utf8' });
    const [memory, ...rest] = list.trim().split('\n').map((l) => JSON.parse(l) as { text: string; agents: string[]; source: string; session: string });
    expect(rest).toEqual([]);
    expect(memory).toMatchObject({ text: 'deploys to production need the VPN on', agents: ['claude'], source: 'auto' });
    expect(memory!.session).toMatch(/^[0-9a-f-]{36}$/);
  }, 240_000);
});
