import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyAction, reduce } from '../../src/tui/learn-review.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { installLearnFixtures } from '../helpers/learn-home.js';
import { runInOuterPty, type PtyRun } from '../helpers/pty-run.js';

// `headroom learn --interactive` in a real pseudo-terminal: the user rejects one rule and writes the other.

const CLI = join(ROOT, 'dist/cli.js');
const made: string[] = [];
let run: PtyRun | undefined;

beforeAll(() => buildDist(), 120_000);
afterEach(() => {
  run?.dispose();
  run = undefined;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sandbox(): { home: string; project: string; env: Record<string, string | undefined> } {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-learn-review-'));
  made.push(root);
  const home = join(root, 'home');
  const project = join(root, 'project');
  fs.mkdirSync(home);
  fs.mkdirSync(project);
  installLearnFixtures(home, project, ['claude']);
  return { home, project, env: { PATH: process.env.PATH, HOME: home, HEADROOM_HOME: join(root, 'headroom'), TERM: 'xterm-256color', CI: process.env.CI } };
}

describe('the learn review', () => {
  it('moves, accepts and rejects', () => {
    let s = { cursor: 0, accepted: [true, true, true] };
    s = reduce(s, keyAction('n')!);
    expect(s).toEqual({ cursor: 1, accepted: [false, true, true] });
    s = reduce(s, keyAction('\x1b[B')!);
    s = reduce(s, keyAction(' ')!);
    expect(s).toEqual({ cursor: 2, accepted: [false, true, false] });
    s = reduce(s, keyAction('j')!);
    expect(s.cursor).toBe(2);
    s = reduce(s, keyAction('A')!);
    expect(s.accepted).toEqual([true, true, true]);
    expect(keyAction('\r')).toBe('write');
    expect(keyAction('q')).toBe('quit');
    expect(keyAction('x')).toBeUndefined();
  });

  it('writes only the rules the user accepted', async () => {
    const s = sandbox();
    run = runInOuterPty(process.execPath, [CLI, 'learn', '--interactive'], { env: s.env, cwd: s.project, cols: 120, rows: 30 });
    await run.waitForScreen((lines) => lines.some((l) => l.includes('review 2 rules · 2 accepted')));
    const screen = await run.screen();
    expect(screen.some((l) => l.includes('› ✓ 1. Use `npm run check`, not `npm test`.'))).toBe(true);
    expect(screen.some((l) => /Rule 1: failure then fix · 2 sessions · claude/.test(l))).toBe(true);
    run.write('n');
    await run.waitForScreen((lines) => lines.some((l) => l.includes('1 accepted')));
    run.write('\r');
    expect((await run.exited).exitCode).toBe(0);
    const written = fs.readFileSync(join(s.project, 'CLAUDE.md'), 'utf8');
    expect(written).toContain('make build');
    expect(written).not.toContain('npm run check');
  }, 60_000);

  it('q ends the review writing nothing', async () => {
    const s = sandbox();
    run = runInOuterPty(process.execPath, [CLI, 'learn', '--interactive'], { env: s.env, cwd: s.project });
    await run.waitForScreen((lines) => lines.some((l) => l.includes('review 2 rules')));
    run.write('q');
    expect((await run.exited).exitCode).toBe(0);
    await run.waitFor('nothing written');
    expect(fs.existsSync(join(s.project, 'CLAUDE.md'))).toBe(false);
  }, 60_000);
});
