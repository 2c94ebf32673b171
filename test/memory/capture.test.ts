import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentNamed, type Agent } from '../../src/agents/index.js';
import { startCapture, type Capture } from '../../src/memory/capture.js';

// startCapture on real files and a real chokidar watcher, fed with lines the real CLIs wrote
// (fixtures/sessions). The integration test with the CLIs themselves is capture.int.test.ts.

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const STAGING = 'the staging database listens on port 5433';
const LINTER = 'run the linter before committing';

interface Got {
  fact: string;
  agent: string;
  session: string;
  file: string;
}

let dirs: string[] = [];
let captures: Capture[] = [];
afterEach(async () => {
  await Promise.all(captures.map((c) => c.close()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
  captures = [];
});

function tempDir(): string {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'headroom-capture-'));
  dirs.push(d);
  return d;
}

/** A fixture's lines (each with its newline), the recorded project directory replaced by `cwd`. */
function fixtureLines(path: string, cwd?: string): string[] {
  let text = fs.readFileSync(join(FIXTURES, path), 'utf8');
  if (cwd !== undefined) text = text.replace(/\/tmp\/headroom-record-[A-Za-z0-9]+\/project/g, cwd);
  return text.split(/(?<=\n)/);
}

async function capture(agent: string, env: Record<string, string>, cwd: string) {
  const got: Got[] = [];
  const errors: Error[] = [];
  const c = await startCapture({
    agent: agentNamed(agent) as Agent,
    env,
    cwd,
    onRemember: (fact, meta) => {
      got.push({ fact, ...meta });
    },
    onError: (err) => errors.push(err),
  });
  captures.push(c);
  return { got, errors, close: () => c.close() };
}

/** Waits (up to 10 s) until `ok()` holds; fails with `what` otherwise. */
async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function write(path: string, text: string | Buffer): void {
  fs.mkdirSync(dirname(path), { recursive: true });
  fs.appendFileSync(path, text);
}

describe('startCapture', () => {
  it('reads only what is appended to a transcript that existed at start', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const lines = fixtureLines('claude/session.jsonl', cwd);
    const second = lines.findIndex((l) => l.includes('"content":"Keep in mind that @notes.txt'));
    const file = join(home, 'projects', 'slug', 'session.jsonl');
    // Before start: the first prompt, "Remember that the staging database ...".
    write(file, lines.slice(0, second).join(''));
    const c = await capture('claude', { CLAUDE_CONFIG_DIR: home }, cwd);
    write(file, lines.slice(second).join(''));
    await until('the second prompt', () => c.got.length > 0);
    await c.close();

    const session = /"sessionId":"([^"]+)"/.exec(lines[0]!)?.[1];
    expect(c.got).toEqual([{ fact: '@notes.txt lists the staging hosts', agent: 'claude', session, file }]);
    expect(c.errors).toEqual([]);
  });

  it('skips sessions of the same agent that work in another project', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const c = await capture('claude', { CLAUDE_CONFIG_DIR: home }, cwd);
    // As recorded: the session's cwd is the recorder's project directory, not ours.
    write(join(home, 'projects', 'other', 'a.jsonl'), fixtureLines('claude/session.jsonl').join(''));
    write(join(home, 'projects', 'ours', 'b.jsonl'), fixtureLines('claude/session.jsonl', join(cwd, 'sub')).join(''));
    await until('our session', () => c.got.length === 2);
    await c.close();
    expect(c.got.map((g) => [g.fact, g.file])).toEqual([
      [STAGING, join(home, 'projects', 'ours', 'b.jsonl')],
      ['@notes.txt lists the staging hosts', join(home, 'projects', 'ours', 'b.jsonl')],
    ]);
  });

  it('reads a line written in two chunks once, whole', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const lines = fixtureLines('copilot/events.jsonl', cwd);
    const second = lines.findIndex((l) => l.startsWith('{"type":"user.message"') && l.includes('From now on'));
    const bytes = Buffer.from(lines.slice(0, second + 1).join(''));
    const cut = bytes.length - Buffer.byteLength(lines[second]!) + Buffer.byteLength(lines[second]!.slice(0, 80));
    const file = join(home, 'session-state', 'abc', 'events.jsonl');
    const c = await capture('copilot', { COPILOT_HOME: home }, cwd);
    // One write: the first prompt whole and the start of the second.
    write(file, bytes.subarray(0, cut));
    await until('the first prompt', () => c.got.length === 1);
    write(file, Buffer.concat([bytes.subarray(cut), Buffer.from(lines.slice(second + 1).join(''))]));
    await until('the second prompt', () => c.got.length === 2);
    await c.close();

    const session = /"sessionId":"([^"]+)"/.exec(lines[0]!)?.[1];
    expect(c.got).toEqual([
      { fact: STAGING, agent: 'copilot', session, file },
      { fact: LINTER, agent: 'copilot', session, file },
    ]);
    expect(c.errors).toEqual([]);
  });

  it('keeps a UTF-8 character split between two writes whole', async () => {
    const cwd = tempDir();
    const file = join(cwd, '.aider.chat.history.md');
    const c = await capture('aider', {}, cwd);
    const line = Buffer.from('#### Remember that the Müller service owns billing.  \n');
    const u = line.indexOf(Buffer.from('ü'));
    write(file, Buffer.concat([Buffer.from('\n# aider chat started at 2026-11-21 09:00:00\n\n#### remember that invoices are immutable  \n'), line.subarray(0, u + 1)]));
    await until('the first line', () => c.got.length === 1);
    write(file, line.subarray(u + 1));
    await until('the second line', () => c.got.length === 2);
    await c.close();
    expect(c.got.map((g) => [g.fact, g.session])).toEqual([
      ['invoices are immutable', '2026-11-21 09:00:00'],
      ['the Müller service owns billing', '2026-11-21 09:00:00'],
    ]);
  });

  it('waits for a transcript folder that does not exist yet, without creating it', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const codexHome = join(home, '.codex');
    const c = await capture('codex', { CODEX_HOME: codexHome }, cwd);
    expect(fs.existsSync(codexHome)).toBe(false);
    const file = join(codexHome, 'sessions', '2026', '11', '21', 'rollout-2026-11-21T07-57-55-x.jsonl');
    const lines = fixtureLines('codex/rollout-1.jsonl', cwd);
    write(file, lines.join(''));
    await until('the prompt', () => c.got.length === 1);
    await c.close();
    const session = /"id":"([^"]+)"/.exec(lines[0]!)?.[1];
    expect(c.got).toEqual([{ fact: STAGING, agent: 'codex', session, file }]);
  });

  it('takes the session and cwd of a file from before start from its skipped part (Codex names them once, on top)', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const day = join(home, 'sessions', '2026', '11', '21');
    const ours = join(day, 'rollout-ours.jsonl');
    const theirs = join(day, 'rollout-theirs.jsonl');
    write(ours, fixtureLines('codex/rollout-1.jsonl', cwd).join(''));
    // Another project's session (its own thread id, so only the cwd tells them apart).
    write(theirs, fixtureLines('codex/rollout-1.jsonl', '/elsewhere/project').join('').replaceAll('01a1fd1c-a410', '01a1fd1c-ffff'));
    const c = await capture('codex', { CODEX_HOME: home }, cwd);
    // A later prompt in each session (the user line of the second rollout, as Codex writes it).
    const prompt = fixtureLines('codex/rollout-2.jsonl').find((l) => l.includes('"type":"UserMessage"'))!;
    write(theirs, prompt);
    write(ours, prompt);
    await until('our prompt', () => c.got.length > 0);
    await c.close();
    const session = /"id":"([^"]+)"/.exec(fixtureLines('codex/rollout-1.jsonl')[0]!)?.[1];
    expect(c.got).toEqual([{ fact: LINTER, agent: 'codex', session, file: ours }]);
  });

  it('Gemini CLI: a record written again and the $set replay of a resumed session count once', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const lines = fixtureLines('gemini/session.jsonl');
    const first = lines.find((l) => l.includes('"type":"user","content":[{"text":"Remember that the staging'))!;
    const file = join(home, '.gemini', 'tmp', 'project', 'chats', 'session-2026-11-21T07-58-ee2c61d5.jsonl');
    const c = await capture('gemini', { HOME: home }, cwd);
    write(file, lines.join(''));
    // The same record again, its text changed: still the record already read.
    write(file, first.replace('Remember that the staging database listens on port 5433.', 'Remember that rewritten records are not new.'));
    await until('both prompts', () => c.got.length === 2);
    await c.close();
    expect(c.got.map((g) => g.fact)).toEqual([STAGING, LINTER]);
    expect(c.got[0]?.session).toBe('ee2c61d5-d1a0-4805-af6e-43df67c415b1');
  });

  it('Aider: a history file from earlier runs is followed from its end; each run is its own session', async () => {
    const cwd = tempDir();
    const file = join(cwd, '.aider.chat.history.md');
    const old = fs.readFileSync(join(FIXTURES, 'aider/chat-history.md'), 'utf8');
    write(file, old);
    const c = await capture('aider', {}, cwd);
    write(file, '\n# aider chat started at 2026-11-22 10:00:00\n\n#### Remember that the staging database listens on port 5433.  \n\nOK.\n');
    write(file, '\n#### remember that the staging database listens on port 5433  \n');
    write(file, '\n# aider chat started at 2026-11-22 11:00:00\n\n#### Remember that the staging database listens on port 5433.  \n');
    await until('two sessions', () => c.got.length === 2);
    await c.close();
    expect(c.got).toEqual([
      { fact: STAGING, agent: 'aider', session: '2026-11-22 10:00:00', file },
      { fact: STAGING, agent: 'aider', session: '2026-11-22 11:00:00', file },
    ]);
  });

  it('close() reads what was written just before it, including a last line without a newline', async () => {
    const home = tempDir();
    const cwd = tempDir();
    const c = await capture('codex', { CODEX_HOME: home }, cwd);
    const lines = fixtureLines('codex/rollout-2.jsonl', cwd);
    const file = join(home, 'sessions', '2026', '11', '21', 'rollout-x.jsonl');
    const user = lines.findIndex((l) => l.includes('"type":"UserMessage"'));
    write(file, lines.slice(0, user + 1).join('').replace(/\n$/, ''));
    await c.close();
    expect(c.got.map((g) => g.fact)).toEqual([LINTER]);
  });

  it('reports a failing onRemember to onError and goes on', async () => {
    const cwd = tempDir();
    const errors: Error[] = [];
    const got: string[] = [];
    const c = await startCapture({
      agent: agentNamed('aider')!,
      env: {},
      cwd,
      onRemember: async (fact) => {
        got.push(fact);
        if (got.length === 1) throw new Error('store is locked');
      },
      onError: (err) => errors.push(err),
    });
    captures.push(c);
    write(join(cwd, '.aider.chat.history.md'), '#### Remember that the first save fails.  \n#### Remember that the second one works.  \n');
    await until('both facts', () => got.length === 2);
    await c.close();
    expect(got).toEqual(['the first save fails', 'the second one works']);
    expect(errors.map((e) => e.message)).toEqual(['store is locked']);
  });
});
