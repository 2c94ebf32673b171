import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { shellThenAnswer } from '../helpers/agent-cli.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream } from '../helpers/fake-upstream.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

// The real Codex CLI, interactive (its inline TUI writes history above its viewport with
// scroll regions), in tmux with and without `headroom wrap`: the same screen above the status row.

const WIDTH = 100;
const HEIGHT = 30;
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
// About 6 KB: under Codex's own ~10 KB cut, so the proxy sees the whole output.
const LOG_COMMAND =
  `seq 1 100 | awk '{ if ($1 == 50) print "2026-03-01T12:03:20Z ${ERROR_LINE}"; ` +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';

const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/Worked for [^•]+• \d\d:\d\d/, 'Worked for N • HH:MM').replace(/\d+(\.\d+)?m?s\b/g, 'Ns'));

describe.skipIf(!hasTmux())('Codex CLI interactive under headroom wrap (tmux)', () => {
  let upstream: FakeUpstream;
  let cwd: string;
  const dirs: string[] = [];
  let tmux: TmuxSession | undefined;

  beforeAll(() => {
    buildDist();
    cwd = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-cwd-'));
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
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-home-'));
    dirs.push(home);
    fs.mkdirSync(join(home, '.codex'));
    const codex = agentBin('codex');
    const config = [
      'check_for_update_on_startup=false',
      'analytics.enabled=false',
      'features.plugins=false',
      `projects."${cwd}".trust_level="trusted"`,
      'model="gpt-5"',
      'tool_output_token_limit=100000',
    ];
    // headroom supplies the provider overrides itself; the direct run points the same provider at the fake.
    const direct = wrapped
      ? []
      : ['model_provider="headroom"', `model_providers.headroom={name="headroom", base_url="${upstream.url}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=false}`];
    const args = [...direct, ...config].map((c) => `-c '${c}'`).join(' ') + ' -s danger-full-access -a never';
    const env = {
      PATH: `${join(codex, '..')}:${process.env.PATH}`,
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      OPENAI_API_KEY: 'dummy',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_OPENAI_UPSTREAM: upstream.url,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? `${process.execPath} ${join(ROOT, 'dist/cli.js')} wrap codex -- ${args}` : `${codex} ${args}`;
    const t = new TmuxSession(command, { width: WIDTH, height: wrapped ? HEIGHT : HEIGHT - 1, cwd, env });
    tmux = t;
    await t.waitFor((rows) => rows.some((r) => r.startsWith('›')), 30_000, 'the Codex prompt');
    return t;
  }

  async function askForTheLog(t: TmuxSession): Promise<string[]> {
    t.type('Why did the payment fail? Check the log.');
    await t.waitFor((rows) => rows.some((r) => r.includes('Check the log.')), 10_000, 'the typed prompt');
    t.sendKeys('Enter');
    return t.waitFor((rows) => rows.some((r) => r.includes('FINAL:')) && rows.some((r) => r.includes('Worked for')), 45_000, 'the answer');
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

    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · codex · \d+ req · saved \S+ tok \(\d+%\)/);

    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => r.includes('Codex CLI exited with code 0')), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(0);
  }, 150_000);
});
