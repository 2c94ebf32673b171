import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { installLearnFixtures, LEARN_FIXTURES } from '../helpers/learn-home.js';

// `headroom learn` end to end: the built CLI on the transcripts the real agent CLIs recorded,
// placed where each agent keeps them under a sandbox home.

const CLI = join(ROOT, 'dist/cli.js');
const expected = JSON.parse(fs.readFileSync(join(LEARN_FIXTURES, 'expected-rules.json'), 'utf8')) as { rules: Array<{ key: string }> };

interface Sandbox {
  root: string;
  home: string;
  project: string;
  headroomHome: string;
}

const made: string[] = [];
let fake: FakeUpstream | undefined;

function sandbox(agents?: string[]): Sandbox {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-learn-cli-'));
  made.push(root);
  const s = { root, home: join(root, 'home'), project: join(root, 'project'), headroomHome: join(root, 'headroom') };
  fs.mkdirSync(s.home);
  fs.mkdirSync(s.project);
  installLearnFixtures(s.home, s.project, agents);
  return s;
}

function learn(s: Sandbox, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: s.home, HEADROOM_HOME: s.headroomHome, HEADROOM_USER: 'ada', ...opts.env };
  const r = spawnSync(process.execPath, [CLI, 'learn', ...args], { cwd: opts.cwd ?? s.project, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `learn` without blocking this process, for runs that talk to a server in it. */
function learnAsync(s: Sandbox, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'learn', ...args], { cwd: s.project, env: { PATH: process.env.PATH, HOME: s.home, HEADROOM_HOME: s.headroomHome, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

beforeAll(() => buildDist(), 120_000);
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('headroom learn', () => {
  it('a dry run shows each lesson with its evidence from every agent, and the diff per file, writing nothing', () => {
    const s = sandbox();
    const r = learn(s, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Use `npm run check`, not `npm test`.');
    expect(r.stdout).toContain('make build');
    expect(r.stdout).toMatch(/failure then fix · 10 sessions · aider, claude, codex, copilot, gemini/);
    expect(r.stdout).toMatch(/user correction · 10 sessions · aider, claude, codex, copilot, gemini/);
    expect(r.stdout).toMatch(/- codex …[0-9a-f]{8} .* failed: npm test {2}then worked: npm run check {2}\(~\/\.codex\/sessions\/2026\/11\/21\/rollout-session-\d\.jsonl:\d+\)/);
    expect(r.stdout).toMatch(/user said: "No, never run node build\.js directly: use make build instead\."/);
    for (const file of ['CLAUDE.md', 'AGENTS.md', 'GEMINI.md', 'CONVENTIONS.md']) expect(r.stdout).toContain(`+++ ${join(s.project, file)}`);
    expect(r.stdout).toContain('Dry run: nothing written.');
    expect(fs.readdirSync(s.project)).toEqual(['.aider.chat.history.md']);
    // The one-off noise of the labelled scenario is no rule.
    expect(r.stdout).not.toContain('ls generated');
  });

  it('--json gives the expected rules (and only them) with evidence and a diff per file', () => {
    const s = sandbox();
    const r = learn(s, ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { rules: Array<{ key: string; sessions: number; evidence: unknown[] }>; changes: Array<{ path: string; diff: string }>; read: { files: number } };
    expect(doc.rules.map((x) => x.key).sort()).toEqual(expected.rules.map((x) => x.key).sort());
    expect(doc.rules.every((x) => x.sessions >= 2 && x.evidence.length > 0)).toBe(true);
    expect(doc.changes.map((c) => c.path.slice(s.project.length + 1)).sort()).toEqual(['AGENTS.md', 'CLAUDE.md', 'CONVENTIONS.md', 'GEMINI.md']);
    expect(doc.read.files).toBe(14);
  });

  it('--apply writes the section keeping every byte of the user’s file, backs the old file up, and a second run changes nothing', () => {
    const s = sandbox(['claude']);
    const mine = '---\r\ntitle: notes\r\n---\r\n# My project\r\n\r\n| a | b |\r\n|---|---|\r\n\r\n```sh\r\nnpm test\r\n```\r\nUse tabs.';
    fs.writeFileSync(join(s.project, 'CLAUDE.md'), mine);
    const r = learn(s, ['--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(s.project, 'CLAUDE.md')}`);
    const after = fs.readFileSync(join(s.project, 'CLAUDE.md'), 'utf8');
    expect(after.startsWith(mine)).toBe(true);
    expect(after).toContain('<!-- headroom:learn:start -->');
    expect(after).toContain('- Use `npm run check`, not `npm test`. <!-- headroom:rule key=');
    expect(after.split('\n').filter((l) => l.length > 0).every((l) => l.endsWith('\r'))).toBe(true);
    const backups = fs.readdirSync(join(s.headroomHome, 'backups'));
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(join(s.headroomHome, 'backups', backups[0]!), 'utf8')).toBe(mine);
    // Only Claude Code's transcripts were there: no other agent's file.
    expect(fs.readdirSync(s.project).sort()).toEqual(['CLAUDE.md']);

    const again = learn(s, ['--apply']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Every file is already up to date.');
    expect(fs.readFileSync(join(s.project, 'CLAUDE.md'), 'utf8')).toBe(after);
    expect(fs.readdirSync(join(s.headroomHome, 'backups'))).toHaveLength(1);
  });

  it('--agent and --target choose whose sessions are read and which file gets the rules', () => {
    const s = sandbox();
    const r = learn(s, ['--agent', 'codex', '--target', 'docs/RULES.md', '--json'], { cwd: s.project });
    // The folder docs/ does not exist: planned, then refused at apply only.
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { looked: Array<{ agent: string }>; rules: Array<{ agents: string[] }>; changes: Array<{ path: string }> };
    expect(doc.looked.map((l) => l.agent)).toEqual(['codex']);
    expect(doc.rules.every((x) => x.agents.join() === 'codex')).toBe(true);
    expect(doc.changes.map((c) => c.path)).toEqual([join(s.project, 'docs/RULES.md')]);
    const refused = learn(s, ['--agent', 'codex', '--target', 'docs/RULES.md', '--apply']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the folder ${join(s.project, 'docs')} does not exist`);
  });

  it('says where it looked when no transcript is found, and where the sessions worked when none is of this project', () => {
    const s = sandbox();
    const empty = fs.mkdtempSync(join(os.tmpdir(), 'headroom-learn-empty-'));
    made.push(empty);
    const none = learn({ ...s, home: empty }, [], { cwd: empty });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no agent transcripts found; looked in ~/.claude/projects (missing), ~/.codex/sessions (missing)');
    const other = join(s.root, 'other');
    fs.mkdirSync(other);
    const elsewhere = learn(s, [], { cwd: other });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`none of the 13 transcripts found belongs to ${other}`);
    expect(elsewhere.stderr).toContain(`sessions found worked in: ${s.project} (13)`);
    // Run in a subfolder of a git work tree, learn reads the sessions of the whole tree.
    const sub = join(s.project, 'src');
    fs.mkdirSync(sub);
    expect(learn(s, ['--agent', 'gemini'], { cwd: sub }).code).toBe(1);
    expect(spawnSync('git', ['init', '-q'], { cwd: s.project }).status).toBe(0);
    expect(learn(s, ['--agent', 'gemini'], { cwd: sub }).code).toBe(0);
  });

  it.each([
    ['cline', '.cline/data/sessions', '1796600000000_big/1796600000000_big.messages.json'],
    ['continue', '.continue/sessions', '00000000-0000-4000-8000-000000000000.json'],
  ])('--agent %s reads the session the real CLI wrote, found where it keeps them, and skips one too big to read whole', (agent, dir, big) => {
    const s = sandbox([]);
    const recorded = join(ROOT, 'fixtures/sessions', agent, 'sessions');
    for (const rel of fs.readdirSync(recorded, { recursive: true, encoding: 'utf8' })) {
      const src = join(recorded, rel);
      if (!fs.statSync(src).isFile()) continue;
      fs.mkdirSync(join(s.home, dir, rel, '..'), { recursive: true });
      fs.writeFileSync(join(s.home, dir, rel), fs.readFileSync(src, 'utf8').replaceAll('/home/user/project', s.project));
    }
    // A session over the 64 MB cap (sparse: nothing written).
    fs.mkdirSync(join(s.home, dir, big, '..'), { recursive: true });
    fs.writeFileSync(join(s.home, dir, big), '');
    fs.truncateSync(join(s.home, dir, big), 65 * 1024 * 1024);
    const r = learn(s, ['--agent', agent, '--min-sessions', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { looked: Array<{ agent: string; state: string; files: number }>; read: { files: number; sessions: Record<string, number> }; skippedLines: { oversized?: number } };
    expect(doc.looked).toEqual([expect.objectContaining({ agent, state: 'found', files: 2 })]);
    expect(doc.read).toMatchObject({ files: 1, sessions: { [agent]: 1 } });
    expect(doc.skippedLines.oversized).toBe(1);
    const text = learn(s, ['--agent', agent]);
    expect(text.stdout).toContain('read 1 transcript of this project');
    expect(text.stdout).toContain('skipped 1 session file too big to read whole');
  });

  it('bad input: an unknown agent, --since or --min-sessions, a missing --project, --interactive without a terminal', () => {
    const s = sandbox(['codex']);
    expect(learn(s, ['--agent', 'cursor']).stderr).toContain('Allowed choices are claude, codex, copilot, gemini, aider, qwen, continue, cline, all');
    const since = learn(s, ['--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be a span like 30m, 24h, 7d, 2w');
    expect(learn(s, ['--min-sessions', 'two']).stderr).toContain('--min-sessions must be a whole number');
    expect(learn(s, ['--project', join(s.root, 'nope')]).stderr).toContain('no such folder');
    const tty = learn(s, ['--interactive']);
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain('--interactive needs a terminal');
  });

  it('--since leaves out transcripts not touched since then, and --min-sessions raises the bar', () => {
    const s = sandbox(['codex']);
    const old = new Date('2025-01-01T00:00:00Z');
    for (const f of fs.readdirSync(join(s.home, '.codex/sessions/2026/11/21'))) fs.utimesSync(join(s.home, '.codex/sessions/2026/11/21', f), old, old);
    const r = learn(s, ['--since', '30d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('some transcripts are older than --since');
    const strict = learn(s, ['--min-sessions', '4']);
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stdout).toMatch(/No lesson recurs in 4 or more sessions; 2 seen in fewer sessions left out/);
  });

  it('reads past junk in a transcript (cut lines, binary, unknown records) and says how much it skipped', () => {
    const s = sandbox(['codex']);
    const dir = join(s.home, '.codex/sessions/2026/11/21');
    const file = join(dir, fs.readdirSync(dir)[0]!);
    fs.appendFileSync(file, '{"type":"response_item","payload":{"type":"mess\n\u0000\u0001\u00ff binary\n{"type":"a_future_record","payload":{}}\n');
    const r = learn(s, ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { rules: Array<{ key: string }>; skippedLines: { malformed: number; unknown: number } };
    expect(doc.rules.map((x) => x.key).sort()).toEqual(expected.rules.map((x) => x.key).sort());
    expect(doc.skippedLines.malformed + doc.skippedLines.unknown).toBeGreaterThanOrEqual(3);
  });

  it('refuses a target with a broken managed section or a read-only target, changing nothing', () => {
    const s = sandbox(['claude']);
    const broken = '# Mine\n\n<!-- headroom:learn:start -->\n- a rule\n';
    fs.writeFileSync(join(s.project, 'CLAUDE.md'), broken);
    const r = learn(s, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CLAUDE\.md.*headroom:learn:end/);
    expect(fs.readFileSync(join(s.project, 'CLAUDE.md'), 'utf8')).toBe(broken);

    fs.writeFileSync(join(s.project, 'CLAUDE.md'), '# Mine\n');
    fs.chmodSync(join(s.project, 'CLAUDE.md'), 0o444);
    const ro = learn(s, ['--apply']);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toContain('is read-only');
    expect(fs.readFileSync(join(s.project, 'CLAUDE.md'), 'utf8')).toBe('# Mine\n');
  });

  it('saves the applied rules to the project memory with source learn', () => {
    const s = sandbox(['gemini']);
    const env = { HEADROOM_EMBEDDER: 'use-lite' };
    const r = learn(s, ['--apply', '--memory'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('saved 2 new rules to the project memory');
    const listed = spawnSync(process.execPath, [CLI, 'memory', 'list', '--json'], { cwd: s.project, env: { PATH: process.env.PATH, HOME: s.home, HEADROOM_HOME: s.headroomHome, HEADROOM_USER: 'ada', ...env }, encoding: 'utf8' });
    const memories = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { text: string; source: string; agents: string[] });
    expect(memories.map((m) => m.source)).toEqual(['learn', 'learn']);
    expect(memories.map((m) => m.text).sort()).toEqual(['Never run `node build.js` directly: use `make build` instead.', 'Use `npm run check`, not `npm test`.']);
    expect(memories.every((m) => m.agents.join() === 'gemini')).toBe(true);
  }, 120_000);

  it('--llm has a model (over real HTTP) reword and merge the rules; a useless answer leaves the offline rules', async () => {
    const s = sandbox(['copilot']);
    const prompts: string[] = [];
    fake = await startFakeUpstream((call) => {
      prompts.push(JSON.stringify(call.request.json));
      return JSON.stringify({
        rules: [
          { key: 'fix:npm test -> npm run check', text: 'Run the tests with `npm run check`; `npm test` fails here.' },
          { key: 'fix:node build.js -> make build', merge_into: 'fix:npm test -> npm run check' },
          { key: 'invented', text: 'Rewrite everything in Rust.' },
        ],
      });
    });
    const env = { ANTHROPIC_API_KEY: 'dummy', HEADROOM_ANTHROPIC_UPSTREAM: fake.url };
    const r = await learnAsync(s, ['--llm', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { rules: Array<{ key: string; text: string; evidence: unknown[] }> };
    expect(doc.rules).toHaveLength(1);
    expect(doc.rules[0]!.key).toBe('fix:npm test -> npm run check');
    expect(doc.rules[0]!.text).toBe('Run the tests with `npm run check`; `npm test` fails here.');
    expect(prompts[0]).toContain('node build.js');
    expect(r.stdout).not.toContain('Rust');

    await fake.close();
    fake = await startFakeUpstream(() => 'I cannot help with that.');
    const useless = await learnAsync(s, ['--llm'], { ...env, HEADROOM_ANTHROPIC_UPSTREAM: fake.url });
    expect(useless.code, useless.stderr).toBe(0);
    expect(useless.stderr).toContain("the model's answer could not be used (the answer holds no JSON); the rules are phrased offline");
    expect(useless.stdout).toContain('Use `npm run check`, not `npm test`.');
  });
});
