import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentOwner } from '../../src/wrap/process-owner.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { fakeAgentBin } from '../helpers/fake-agents.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

// A wrapped session's folder (HEADROOM_HOME/sessions/<id>) goes with the session however it
// ends: the terminal closed under it (tmux kill-session hangs it up), SIGTERM, or, for a headroom
// killed outright, at the next `headroom wrap`. The agent goes too.

const CLI = join(ROOT, 'dist/cli.js');
let bin: ReturnType<typeof fakeAgentBin>;
const dirs: string[] = [];
let tmux: TmuxSession | undefined;

beforeAll(() => {
  buildDist();
  bin = fakeAgentBin();
});
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
});
afterAll(() => {
  bin.remove();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cleanup-'));
  dirs.push(d);
  return d;
}

function env(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin.dir}:${process.env.PATH}`, HEADROOM_HOME: home, HEADROOM_ANTHROPIC_UPSTREAM: 'http://127.0.0.1:9', TERM: 'xterm-256color', ...extra };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, test: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sessionFolders = (home: string): string[] => (fs.existsSync(join(home, 'sessions')) ? fs.readdirSync(join(home, 'sessions')) : []);

/** `headroom wrap claude` (the stand-in agent, waiting) in a tmux terminal; its pids and its stderr file. */
async function wrappedInTmux(extra: Record<string, string> = {}) {
  const home = tempDir();
  const err = join(home, 'stderr');
  tmux = new TmuxSession(`${process.execPath} ${CLI} wrap claude 2>${err}`, { width: 100, height: 30, cwd: home, env: env(home, { FAKE_AGENT_MODE: 'wait', ...extra }) });
  const screen = await tmux.waitFor((rows) => rows.some((r) => /^PID \d+/.test(r)), 60_000, 'the agent');
  const agent = Number(/^PID (\d+)/.exec(screen.find((r) => r.startsWith('PID'))!)![1]);
  // headroom is the child of the pane's shell (env execs it).
  const shell = Number(tmux.tmux('display-message', '-p', '-t', tmux.name, '#{pane_pid}').trim());
  const headroom = Number(fs.readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ')[0]);
  expect(sessionFolders(home)).toHaveLength(1);
  return { home, err, agent, headroom, t: tmux };
}

describe.skipIf(!hasTmux())('the session folder and the agent go when the session ends', () => {
  it('when the terminal goes away (tmux kill-session): the agent is hung up, headroom removes the folder and ends as a hung-up program', async () => {
    const { home, err, agent, headroom, t } = await wrappedInTmux();
    expect(alive(agent) && alive(headroom)).toBe(true);
    t.tmux('kill-session', '-t', t.name);
    await until('the agent and headroom have exited', () => !alive(agent) && !alive(headroom), 20_000);
    expect(sessionFolders(home)).toEqual([]);
    // No crash on the way out (Node aborts restoring the modes of a terminal that is gone).
    expect(fs.readFileSync(err, 'utf8')).toBe('');
  }, 120_000);

  it('an agent that ignores the hang-up is killed a few seconds later, and the folder still goes', async () => {
    const { home, agent, headroom, t } = await wrappedInTmux({ FAKE_IGNORE_SIGNALS: 'SIGHUP,SIGTERM' });
    t.tmux('kill-session', '-t', t.name);
    await until('the agent and headroom have exited', () => !alive(agent) && !alive(headroom), 30_000);
    expect(sessionFolders(home)).toEqual([]);
  }, 120_000);

  it('on SIGTERM: the agent ends, the folder goes, headroom exits 143', async () => {
    const { home, agent, headroom, t } = await wrappedInTmux();
    process.kill(headroom, 'SIGTERM');
    expect(await t.waitForExit(20_000)).toBe(143);
    expect(alive(agent)).toBe(false);
    expect(sessionFolders(home)).toEqual([]);
  }, 120_000);

  it('the next headroom wrap removes the folders of sessions whose headroom is gone, and only those', async () => {
    const home = tempDir();
    const leave = (name: string, owner: object): void => {
      fs.mkdirSync(join(home, 'sessions', name, 'bin'), { recursive: true });
      fs.writeFileSync(join(home, 'sessions', name, 'owner.json'), JSON.stringify(owner));
    };
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    leave('11111111-dead', { pid: dead, start: null });
    leave('22222222-live', currentOwner());
    const r = spawnSync(process.execPath, [CLI, 'wrap', 'claude'], { env: { ...process.env, ...env(home, { FAKE_AGENT_MODE: 'exit' }) }, stdio: 'pipe', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(sessionFolders(home)).toEqual(['22222222-live']);
  }, 120_000);
});
