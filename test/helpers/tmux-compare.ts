import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { shellThenAnswer } from './agent-cli.js';
import { buildDist, ROOT } from './build-dist.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { TmuxSession } from './tmux.js';

/**
 * What the tmux comparison tests share: a real agent, interactive, asked about a log once
 * directly and once under `headroom wrap`, so that the two screens can be compared row for row.
 */

const WIDTH = 100;
export const HEIGHT = 30;
export const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';

/** A shell command printing `lines` log lines with ERROR_LINE at line `errorAt`. */
export function logCommand(lines: number, errorAt: number): string {
  return (
    `seq 1 ${lines} | awk '{ if ($1 == ${errorAt}) print "2026-03-01T12:03:20Z ${ERROR_LINE}"; ` +
    'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\''
  );
}

/** The command that runs headroom wrap (the built CLI) with `rest` after the agent name. */
export function wrapCommand(agent: string, rest: string): string {
  return `${process.execPath} ${join(ROOT, 'dist/cli.js')} wrap ${agent} ${rest}`;
}

/**
 * Registers the suite's hooks (build, a working directory, clean-up of every tmux session,
 * fake upstream and temp dir) and returns what a test uses of them. Call inside `describe`.
 */
export function tmuxComparison(label: string) {
  const dirs: string[] = [];
  const state: { cwd: string; upstream?: FakeUpstream; tmux?: TmuxSession } = { cwd: '' };
  const tempDir = (kind: string): string => {
    const d = fs.mkdtempSync(join(os.tmpdir(), `headroom-${label}-${kind}-`));
    dirs.push(d);
    return d;
  };
  beforeAll(() => {
    buildDist();
    state.cwd = tempDir('cwd');
  });
  afterEach(async () => {
    state.tmux?.kill();
    state.tmux = undefined;
    await state.upstream?.close();
  });
  afterAll(() => {
    // An agent killed with its tmux session may still be writing into its home for a moment.
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });
  return {
    get cwd() {
      return state.cwd;
    },
    get upstream(): FakeUpstream {
      return state.upstream!;
    },
    tempDir,
    /** A fresh fake upstream that runs `command` in the agent's shell, then answers from its output. */
    async startUpstream(command: string): Promise<FakeUpstream> {
      await state.upstream?.close();
      state.upstream = await startFakeUpstream(shellThenAnswer(command, (out) => `FINAL: ${out.includes(ERROR_LINE) ? 'the ERROR line is in view' : 'no ERROR in view'}`));
      return state.upstream;
    },
    /** Starts `command` in tmux (one row shorter unless wrapped) and waits until `ready` (for up to `startMs`). */
    async open(command: string, wrapped: boolean, env: Record<string, string>, ready: (rows: string[]) => boolean, what: string, startMs = 45_000): Promise<TmuxSession> {
      state.tmux?.kill();
      const t = new TmuxSession(command, { width: WIDTH, height: wrapped ? HEIGHT : HEIGHT - 1, cwd: state.cwd, env });
      state.tmux = t;
      await t.waitFor(ready, startMs, what);
      return t;
    },
  };
}

/** Asks the agent about the log and waits until `answered` holds; returns that screen. */
export async function askForTheLog(t: TmuxSession, answered: (rows: string[]) => boolean, answerMs = 60_000): Promise<string[]> {
  // No '?': Codex CLI and Gemini CLI sometimes take it for their shortcut key, with or without headroom.
  t.type('Find out why the payment failed. Check the log.');
  await t.waitFor((rows) => rows.some((r) => r.includes('Check the log.')), 10_000, 'the typed prompt');
  t.sendKeys('Enter');
  return t.waitFor(answered, answerMs, 'the answer');
}

/** Terminal sizes the resize comparisons go through, smaller then larger (the direct run gets one row less). */
const RESIZES = [
  [80, 20],
  [110, 34],
] as const;

export interface Resized {
  /** The screen, settled after the resize. */
  screen: string[];
  /** The scrollback and the screen. */
  history: string[];
}

/**
 * Resizes the session to each of RESIZES (one row less when not wrapped) and returns what a
 * person sees once the agent has redrawn: the screen and the whole scrollback.
 */
export async function afterResizes(t: TmuxSession, wrapped: boolean, ready: (rows: string[]) => boolean): Promise<Resized[]> {
  const seen: Resized[] = [];
  // The agent done drawing first (a spinner line, a hint), so that both runs are resized from the same screen.
  await t.waitForSettled(ready, 20_000, 'the screen before resizing');
  for (const [w, h] of RESIZES) {
    const rows = wrapped ? h : h - 1;
    t.resize(w, rows);
    const statusShown = (r: string[]) => !wrapped || /^headroom · /.test(r[rows - 1] ?? '');
    const screen = await t.waitForSettled((r) => r.length === rows && ready(r) && statusShown(r), 20_000, `the ${w}x${rows} screen`);
    seen.push({ screen, history: t.history() });
  }
  return seen;
}

/**
 * What a resize comparison asserts for each size: above the status row the wrapped screen is
 * the direct one, the status row is redrawn on the last row (once), and the answer is in the
 * screen or the scrollback as it is without headroom. `scrollback: 'same'` also asks for the
 * whole scrollback to be the direct one's (for agents that leave the same one run after run).
 */
export function expectSameAfterResizes(
  direct: Resized[],
  wrapped: Resized[],
  o: { agent: string; answer: string; normalise: (rows: string[]) => string[]; scrollback: 'same' | 'answer' },
): void {
  const where = (r: Resized, rows: number) => ({ screen: r.screen.slice(0, rows).some((l) => l.includes(o.answer)), scrollback: r.history.slice(0, -r.screen.length).some((l) => l.includes(o.answer)) });
  RESIZES.forEach(([w, h], i) => {
    const d = direct[i]!;
    const s = wrapped[i]!;
    const size = `after resizing to ${w}x${h}`;
    expect(s.screen, size).toHaveLength(h);
    expect(o.normalise(s.screen.slice(0, h - 1)), size).toEqual(o.normalise(d.screen));
    expect(s.screen[h - 1], size).toMatch(new RegExp(`^headroom · ${o.agent} · \\d+ req`));
    expect(s.screen.filter((r) => r.startsWith(`headroom · ${o.agent}`)), size).toHaveLength(1);
    const answerAt = where(d, h - 1);
    expect(answerAt.screen || answerAt.scrollback, size).toBe(true);
    expect(where(s, h - 1), size).toEqual(answerAt);
    if (o.scrollback === 'same') expect(o.normalise(s.history.slice(0, -1)), size).toEqual(o.normalise(d.history));
  });
}

/** Waits until the status row shows a saving. */
export function savingsShown(t: TmuxSession): Promise<string[]> {
  return t.waitFor((rows) => /saved \S+ tok/.test(rows[HEIGHT - 1] ?? ''), 10_000, 'the savings on the status row');
}
