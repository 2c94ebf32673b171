import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentNamed } from '../../src/agents/index.js';
import { startCapture } from '../../src/memory/capture.js';
import { answerWith, runClaude, runCodex } from '../helpers/agent-cli.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

// The real Claude Code and Codex CLIs, offline against the fake upstream, while startCapture
// follows the transcripts they write.

const PROMPT = 'Remember that the staging database listens on port 5433. What port does staging use?';
const STAGING = 'the staging database listens on port 5433';

interface Got {
  fact: string;
  agent: string;
  session: string;
  file: string;
}

let fake: FakeUpstream | undefined;
let dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function sandbox(): { home: string; cwd: string } {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-capture-int-'));
  dirs.push(root);
  fs.mkdirSync(join(root, 'home'));
  fs.mkdirSync(join(root, 'project'));
  return { home: join(root, 'home'), cwd: join(root, 'project') };
}

/**
 * A script that holds the model's answer until the capture has reported something (at most
 * 10 s), so a test can see the capture working while the agent is still running.
 */
function answerOnceCaptured(got: Got[], text: string, seenWhileRunning: boolean[]) {
  return async () => {
    const deadline = Date.now() + 10_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    seenWhileRunning.push(got.length > 0);
    return text;
  };
}

async function follow(agent: 'claude' | 'codex', env: Record<string, string>, cwd: string) {
  const got: Got[] = [];
  const errors: Error[] = [];
  const capture = await startCapture({
    agent: agentNamed(agent)!,
    env,
    cwd,
    onRemember: (fact, meta) => {
      got.push({ fact, ...meta });
    },
    onError: (err) => errors.push(err),
  });
  return { got, errors, close: () => capture.close() };
}

describe('live capture from the real agent CLIs', () => {
  it('Claude Code (print mode): the fact the user asked to remember, with its session id', async () => {
    const { home, cwd } = sandbox();
    const c = await follow('claude', { HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude') }, cwd);
    const whileRunning: boolean[] = [];
    fake = await startFakeUpstream(answerOnceCaptured(c.got, 'Staging listens on port 5433.', whileRunning));
    const run = await runClaude({ baseUrl: fake.url, prompt: PROMPT, home, cwd });
    await c.close();

    expect(run.code, run.stderr).toBe(0);
    // Reported while Claude Code was waiting for its answer, not only when capture closed.
    expect(whileRunning).toEqual([true]);
    const session = fake.modelRequests()[0]?.headers['x-claude-code-session-id'];
    expect(typeof session).toBe('string');
    expect(c.got).toEqual([{ fact: STAGING, agent: 'claude', session, file: expect.stringMatching(new RegExp(`/\\.claude/projects/[^/]+/${session}\\.jsonl$`)) }]);
    expect(c.errors).toEqual([]);
  });

  it('Claude Code: a session that existed before start is read from where it was (--continue)', async () => {
    const { home, cwd } = sandbox();
    fake = await startFakeUpstream(answerWith('Noted.'));
    const before = await runClaude({ baseUrl: fake.url, prompt: 'Remember that the old cache lives on redis-1. Thanks.', home, cwd });
    expect(before.code, before.stderr).toBe(0);
    const c = await follow('claude', { HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude') }, cwd);
    const run = await runClaude({ baseUrl: fake.url, prompt: PROMPT, home, cwd, args: ['--continue'] });
    await c.close();

    expect(run.code, run.stderr).toBe(0);
    const sessions = new Set(fake.modelRequests().map((r) => r.headers['x-claude-code-session-id']));
    expect(sessions.size).toBe(1);
    expect(c.got.map((g) => [g.fact, g.session])).toEqual([[STAGING, [...sessions][0]]]);
  });

  it('Codex CLI (exec): the fact the user asked to remember, with its thread id', async () => {
    const { home, cwd } = sandbox();
    fs.writeFileSync(join(cwd, 'AGENTS.md'), '# Rules\n\nRemember that AGENTS.md is not the user speaking.\n');
    const codexHome = join(home, '.codex');
    const c = await follow('codex', { HOME: home, CODEX_HOME: codexHome }, cwd);
    const whileRunning: boolean[] = [];
    fake = await startFakeUpstream(answerOnceCaptured(c.got, 'Staging listens on port 5433. Remember that this reply is not the user.', whileRunning));
    const run = await runCodex({ baseUrl: fake.url, prompt: PROMPT, home, cwd });
    await c.close();

    expect(run.code, run.stderr).toBe(0);
    expect(whileRunning).toEqual([true]);
    const session = /session id: ([0-9a-f-]+)/.exec(run.stderr)?.[1];
    expect(fake.modelRequests()[0]?.headers['session-id']).toBe(session);
    expect(c.got).toEqual([{ fact: STAGING, agent: 'codex', session, file: expect.stringMatching(new RegExp(`/sessions/\\d{4}/\\d{2}/\\d{2}/rollout-.*${session}\\.jsonl$`)) }]);
    expect(c.errors).toEqual([]);
  });
});
