import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { fakeAgentBin } from '../helpers/fake-agents.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

// Ctrl-Z under `headroom wrap`, in an interactive shell as a person would use it: the agent
// stops, headroom stops with it and the shell gets the terminal back; `fg` brings both back.

describe.skipIf(!hasTmux())('job control (tmux, interactive bash)', () => {
  let tmux: TmuxSession | undefined;
  let bin: ReturnType<typeof fakeAgentBin>;
  let home: string;
  beforeAll(() => buildDist());
  afterEach(() => {
    tmux?.kill();
    bin?.remove();
    // The shell may still be writing as tmux goes away: retry what appears during the removal.
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  it('Ctrl-Z suspends the agent and headroom as one job; fg resumes both', async () => {
    bin = fakeAgentBin();
    home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-jobs-'));
    const t = new TmuxSession('bash --norc --noprofile -i', {
      width: 90,
      height: 20,
      cwd: home,
      env: { PATH: `${bin.dir}:${process.env.PATH}`, HOME: home, HEADROOM_HOME: join(home, '.headroom'), FAKE_AGENT_MODE: 'cooked', PS1: 'shell$ ', TERM: 'xterm-256color', HISTFILE: '/dev/null' },
    });
    tmux = t;
    await t.waitFor((r) => r.some((x) => x.startsWith('shell$')), 10_000, 'the shell prompt');
    t.type(`${process.execPath} ${join(ROOT, 'dist/cli.js')} wrap aider`);
    t.sendKeys('Enter');
    await t.waitFor((r) => r.some((x) => x === 'READY') && /^headroom · aider/.test(r[19] ?? ''), 15_000, 'the agent and the status line');

    t.sendKeys('C-z');
    const stopped = await t.waitFor((r) => r.some((x) => /Stopped\s+.*wrap aider/.test(x)) && r.some((x) => x.startsWith('shell$')), 10_000, 'the shell reporting the stopped job');
    expect(stopped.filter((x) => x.startsWith('headroom · aider'))).toHaveLength(0); // the status row went with it

    t.type('fg');
    t.sendKeys('Enter');
    await t.waitFor((r) => /^headroom · aider/.test(r[19] ?? ''), 10_000, 'the status line back');
    t.type('hello again');
    t.sendKeys('Enter');
    await t.waitFor((r) => r.some((x) => x === 'LINE hello again'), 10_000, 'the agent reading input again');

    t.sendKeys('C-c');
    await t.waitFor((r) => r.some((x) => /Aider (ended by SIGINT|exited with code 130)/.test(x)), 10_000, 'the exit summary');
    t.type('echo "status=$?"');
    t.sendKeys('Enter');
    await t.waitFor((r) => r.some((x) => x === 'status=130'), 10_000, 'the exit status');
  }, 60_000);
});
