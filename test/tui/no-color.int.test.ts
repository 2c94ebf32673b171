import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/build-dist.js';
import { runInOuterPty } from '../helpers/pty-run.js';

/** `headroom stats` on a real terminal: coloured, unless the user set NO_COLOR. */

const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-no-color-'));
fs.mkdirSync(join(home, 'ledger'));
fs.copyFileSync(join(ROOT, 'fixtures/ledger/2026-11-21.jsonl'), join(home, 'ledger', '2026-11-21.jsonl'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

async function statsOnTerminal(extra: Record<string, string>): Promise<string> {
  // A user's terminal, not the test runner's: CI, FORCE_COLOR, NO_COLOR or COLORTERM inherited from
  // the runner would each decide the colour before headroom does.
  const env = { PATH: process.env.PATH ?? '', HOME: home, HEADROOM_HOME: home, TERM: 'xterm-256color', ...extra };
  const run = runInOuterPty(process.execPath, [join(ROOT, 'dist/cli.js'), 'stats'], { env, cols: 120, rows: 40 });
  const exit = await run.exited;
  expect(exit.exitCode).toBe(0);
  return run.output();
}

const SGR_COLOUR = /\x1b\[(3\d|9\d|1)m/;

describe('colour on a terminal', () => {
  it('is there by default', async () => {
    expect(await statsOnTerminal({})).toMatch(SGR_COLOUR);
  });

  it('is gone with NO_COLOR', async () => {
    const out = await statsOnTerminal({ NO_COLOR: '1' });
    expect(out).toContain('requests');
    expect(out).not.toMatch(SGR_COLOUR);
  });
});
