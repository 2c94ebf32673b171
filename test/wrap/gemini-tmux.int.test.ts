import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { shellThenAnswer } from '../helpers/agent-cli.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

// The real Gemini CLI, interactive (a full-screen Ink app), in tmux with and without
// `headroom wrap`: the same screen above the status row.

const WIDTH = 100;
const HEIGHT = 30;
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
// Short enough that Gemini CLI's own shell view keeps all of it: what it keeps of a longer
// output varies from run to run, with or without headroom.
const LOG_COMMAND =
  `seq 1 40 | awk '{ if ($1 == 20) print "2026-03-01T12:03:20Z ${ERROR_LINE}"; ` +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';

/** Timings and the random tips and phrases Gemini CLI shows change from run to run. */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/\d+(\.\d+)?m?s\b/g, 'Ns'));

describe.skipIf(!hasTmux())('Gemini CLI interactive under headroom wrap (tmux)', () => {
  let upstream: FakeUpstream;
  let cwd: string;
  const dirs: string[] = [];
  let tmux: TmuxSession | undefined;

  beforeAll(() => {
    buildDist();
    cwd = fs.mkdtempSync(join(os.tmpdir(), 'headroom-gemini-cwd-'));
    dirs.push(cwd);
  });
  afterEach(async () => {
    tmux?.kill();
    tmux = undefined;
    await upstream?.close();
  });
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  async function session(wrapped: boolean): Promise<TmuxSession> {
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-gemini-home-'));
    dirs.push(home);
    fs.mkdirSync(join(home, '.gemini'));
    const settings = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      general: { maxAttempts: 1 },
      ui: { hideTips: true, hideBanner: true, accessibility: { disableLoadingPhrases: true } },
    };
    fs.writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
    const gemini = agentBin('gemini');
    const env = {
      PATH: `${join(gemini, '..')}:${process.env.PATH}`,
      HOME: home,
      GEMINI_API_KEY: 'dummy',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_GEMINI_UPSTREAM: upstream.url,
      ...(wrapped ? {} : { GOOGLE_GEMINI_BASE_URL: upstream.url }),
      TMPDIR: home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? `${process.execPath} ${join(ROOT, 'dist/cli.js')} wrap gemini -- --approval-mode yolo` : `${gemini} --approval-mode yolo`;
    const t = new TmuxSession(command, { width: WIDTH, height: wrapped ? HEIGHT : HEIGHT - 1, cwd, env });
    tmux = t;
    await t.waitFor((rows) => rows.some((r) => r.includes('Type your message')), 45_000, 'the Gemini CLI prompt');
    return t;
  }

  async function askForTheLog(t: TmuxSession): Promise<string[]> {
    t.type('Why did the payment fail? Check the log.');
    await t.waitFor((rows) => rows.some((r) => r.includes('Check the log.')), 10_000, 'the typed prompt');
    t.sendKeys('Enter');
    return t.waitFor((rows) => rows.some((r) => r.includes('FINAL:')) && !rows.some((r) => r.includes('esc to cancel')), 60_000, 'the answer');
  }

  it('looks as without headroom above the status row, which shows the savings', async () => {
    const answer = (out: string) => `FINAL: ${out.includes(ERROR_LINE) ? 'the ERROR line is in view' : 'no ERROR in view'}`;
    upstream = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const directScreen = await askForTheLog(await session(false));
    tmux!.kill();
    await upstream.close();

    upstream = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const t = await session(true);
    await askForTheLog(t);
    const screen = await t.waitFor((rows) => /saved \S+ tok/.test(rows[HEIGHT - 1] ?? ''), 10_000, 'the savings on the status row');
    expect(screen.join('\n')).toContain('FINAL: the ERROR line is in view');
    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · gemini · \d+ req · saved \S+ tok \(\d+%\)/);
  }, 180_000);
});
