import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from './helpers/build-dist.js';

const CLI = join(ROOT, 'dist/cli.js');
let home: string;
beforeAll(() => {
  buildDist();
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cli-errors-'));
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: home, env: { ...process.env, HEADROOM_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

describe('what a user gets when a command fails', () => {
  it('a bad setting is a usage error with its message, wherever it is read (not an unexpected error)', () => {
    const r = run(['retrieve', '0123456789abcdef'], { HEADROOM_CCR_TTL_HOURS: 'soon' });
    expect(r).toEqual({ code: 2, out: '', err: 'headroom: HEADROOM_CCR_TTL_HOURS must be a positive number of hours, got "soon"\n' });
  });

  it.each([
    ['stats', ['stats', '--since', 'bogus', '--json'], 'BAD_SINCE', 2],
    ['learn', ['learn', '--since', 'bogus', '--json'], 'BAD_SINCE', 2],
    ['compress', ['compress', '--kind', 'nope', '--json', '-'], 'USAGE', 2],
  ])('%s --json prints {error: {code, message}} on stdout and exits with the same code', (_name, args, code, exitCode) => {
    const r = run(args);
    expect(r.code).toBe(exitCode);
    expect(r.err).toBe('');
    const printed = JSON.parse(r.out) as { error: { code: string; message: string } };
    expect(printed.error.code).toBe(code);
    expect(printed.error.message).toMatch(code === 'BAD_SINCE' ? /^--since must be a span .* got "bogus"$/ : /^unknown kind "nope": use one of /);
  });

  it('without --json the same failure is one line on stderr', () => {
    const r = run(['stats', '--since', 'bogus']);
    expect(r).toEqual({ code: 2, out: '', err: 'headroom: --since must be a span like 30m, 24h, 7d, 2w or a date like 2026-11-01, got "bogus"\n' });
  });
});
