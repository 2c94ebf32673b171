import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { fakeAgentBin } from '../helpers/fake-agents.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type WireFormat } from '../helpers/fake-upstream.js';
import { runInOuterPty, type PtyRun } from '../helpers/pty-run.js';

/**
 * `headroom wrap <agent>` from the built CLI, in an outer pseudo-terminal (a person's terminal),
 * with the scripted fake agent (test/helpers/fake-agent.mjs) standing in for each real agent and
 * a fake model API on 127.0.0.1 behind the embedded proxy.
 *
 * The tests run concurrently: each starts a headroom process that takes about a second to load
 * and then mostly waits. Each test has its own world (HEADROOM_HOME, fake API, processes), torn
 * down by its onTestFinished.
 */

const CLI = join(ROOT, 'dist/cli.js');
const COLS = 100;
const ROWS = 30;

let bin: { dir: string; remove(): void };
let scratch: string;
/** The biggest tool output of a real agent request: a PostgreSQL log, ~290 kB. */
let toolFile: string;
let toolText: string;

beforeAll(() => {
  buildDist();
  bin = fakeAgentBin();
  scratch = fs.mkdtempSync(join(os.tmpdir(), 'headroom-wrap-pty-'));
  const request = JSON.parse(fs.readFileSync(join(ROOT, 'fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json'), 'utf8')) as unknown;
  toolText = toolOutputsOf('anthropic', request).sort((x, y) => y.length - x.length)[0]!;
  expect(toolText.length).toBeGreaterThan(100_000);
  toolFile = join(scratch, 'tool-output.log');
  fs.writeFileSync(toolFile, toolText);
}, 120_000);

afterAll(() => {
  bin?.remove();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Settings from the environment the tests run in that would change where agents or headroom send traffic. */
const ROUTING_VARS = /^(HEADROOM_|ANTHROPIC_|OPENAI_|GEMINI_|GOOGLE_|COPILOT_)/;

interface PlainRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** One test's world: its HEADROOM_HOME, its fake model API, and the runs it starts. */
class World {
  private readonly cleanups: Array<() => void | Promise<void>> = [];

  private constructor(
    readonly home: string,
    readonly fake: FakeUpstream,
  ) {}

  static async create(onTestFinished: (fn: () => Promise<void>) => void): Promise<World> {
    const w = new World(fs.mkdtempSync(join(scratch, 'home-')), await startFakeUpstream());
    onTestFinished(async () => {
      for (const c of w.cleanups.splice(0).reverse()) await c();
      await w.fake.close();
      fs.rmSync(w.home, { recursive: true, force: true });
    });
    return w;
  }

  /** Runs `fn` when the test ends (last added first). */
  cleanup(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  /**
   * The environment of one run: the fake agents first on PATH, HEADROOM_HOME in the world, every
   * upstream at the fake API and the keys the adapters need; `extra` entries set to undefined are removed.
   */
  env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !ROUTING_VARS.test(k)));
    return {
      ...base,
      TERM: 'xterm-256color',
      PATH: `${bin.dir}:${process.env.PATH ?? ''}`,
      HEADROOM_HOME: this.home,
      HEADROOM_ANTHROPIC_UPSTREAM: this.fake.url,
      HEADROOM_OPENAI_UPSTREAM: this.fake.url,
      HEADROOM_GEMINI_UPSTREAM: this.fake.url,
      OPENAI_API_KEY: 'sk-test-headroom',
      GEMINI_API_KEY: 'gemini-test-headroom',
      COPILOT_PROVIDER_BASE_URL: `${this.fake.url}/v1`,
      ...extra,
    };
  }

  /** Any command in a fresh outer terminal. */
  pty(file: string, args: string[], extraEnv: Record<string, string | undefined>, size = { cols: COLS, rows: ROWS }): PtyRun {
    const run = runInOuterPty(file, args, { ...size, env: this.env(extraEnv), cwd: scratch });
    this.cleanup(() => run.dispose());
    return run;
  }

  /** `headroom wrap ...` in a fresh outer terminal; the terminal's process is headroom's node. */
  wrapInPty(args: string[], extraEnv: Record<string, string | undefined>, size = { cols: COLS, rows: ROWS }): PtyRun {
    return this.pty(process.execPath, [CLI, 'wrap', ...args], extraEnv, size);
  }

  /** `headroom wrap ...` with pipes (or no stdin at all): no terminal anywhere. */
  wrapPlain(args: string[], extraEnv: Record<string, string | undefined>, stdin: 'pipe' | 'ignore' = 'pipe'): Promise<PlainRun> {
    const child = spawn(process.execPath, [CLI, 'wrap', ...args], { env: this.env(extraEnv) as NodeJS.ProcessEnv, cwd: scratch, stdio: [stdin, 'pipe', 'pipe'] });
    this.cleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stdin?.end();
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`headroom wrap did not exit; stdout:\n${out}\nstderr:\n${err}`)), 30_000);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, out, err });
      });
    });
  }

  ledger(): Array<Record<string, unknown>> {
    const dir = join(this.home, 'ledger');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => fs.readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The one model request the fake agent sent: at its agent's route, with the tool output compressed. */
  expectCompressedRequest(agent: string): void {
    const models = this.fake.modelRequests();
    expect(models).toHaveLength(1);
    const req = models[0]!;
    expect(req.url.split('?')[0]).toMatch(WIRE[agent]!.path);
    expect(req.format).toBe(WIRE[agent]!.format);
    const outputs = toolOutputsOf(req.format!, req.json);
    expect(outputs).toHaveLength(1);
    // Gemini's function response is an object ({output: text}); the others carry the text itself.
    const original = req.format === 'gemini' ? JSON.stringify({ output: toolText }) : toolText;
    expect(outputs[0]!.length).toBeGreaterThan(0);
    expect(outputs[0]!.length).toBeLessThan(original.length / 2);
  }
}

/** Where each agent's requests land on the fake upstream, and in which wire format. */
const WIRE: Record<string, { path: RegExp; format: WireFormat }> = {
  claude: { path: /^\/v1\/messages$/, format: 'anthropic' },
  codex: { path: /^\/v1\/responses$/, format: 'openai-responses' },
  copilot: { path: /^\/v1\/chat\/completions$/, format: 'openai-chat' },
  gemini: { path: /^\/v1beta\/models\/gemini-2\.5-flash:generateContent$/, format: 'gemini' },
  aider: { path: /^\/v1\/chat\/completions$/, format: 'openai-chat' },
};

const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b[78DME]|\x1b\][^\x07]*\x07/g, '');

/** True once the process is gone, polling up to `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.concurrent('headroom wrap under a real terminal (built CLI, fake agents)', () => {
  describe('routes each agent through the embedded proxy, with the status line on the last row', () => {
    // claude through HEADROOM_ANTHROPIC_UPSTREAM; copilot through the user's own COPILOT_PROVIDER_BASE_URL
    // (HEADROOM_OPENAI_UPSTREAM unset: the agent's setting becomes the proxy's upstream). A token
    // set for a standalone proxy does not lock the agent out of wrap's own.
    const cases: Array<[string, Record<string, string | undefined>]> = [
      ['claude', {}],
      ['codex', { HEADROOM_PROXY_TOKEN: 'for-a-standalone-proxy' }],
      ['copilot', { HEADROOM_OPENAI_UPSTREAM: undefined }],
      ['gemini', {}],
      ['aider', {}],
    ];
    it.for(cases)('%s', async ([agent, extra], { onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty([agent], { FAKE_AGENT_MODE: 'ask', FAKE_TOOL_OUTPUT_FILE: toolFile, FAKE_STAY: '1', ...extra });
      const answer = await run.waitFor(/ANSWER ok: 1 tool outputs, (\d+) bytes/);
      expect(Number(answer[1])).toBeLessThan(toolText.length / 2);
      expect(run.output()).toMatch(/STATUS 200 SAVED \d+/);
      expect(run.output()).toContain('TTY yes');

      // While the agent stays: the status line, with the saving, on the last row; the agent's lines above it.
      const statusRow = new RegExp(`^headroom · ${agent} · 1 req · saved \\S+ tok`);
      const screen = await run.waitForScreen((lines) => statusRow.test(lines[ROWS - 1]!), 10_000);
      const answerRow = screen.findIndex((l) => l.startsWith('ANSWER ok:'));
      expect(answerRow).toBeGreaterThanOrEqual(0);
      expect(answerRow).toBeLessThan(ROWS - 1);
      expect(screen.filter((l) => l.includes('headroom ·'))).toHaveLength(1);

      run.write('q');
      expect((await run.exited).exitCode).toBe(0);
      const summary = await run.waitFor(/exited with code 0[\s\S]*saved/, { from: run.output().lastIndexOf('ANSWER') });
      expect(stripAnsi(summary[0])).toMatch(/\b1 request · /);
      // The status row was cleared when the agent exited.
      const after = await run.screen();
      expect(after.some((l) => l.includes(`headroom · ${agent} ·`))).toBe(false);
      w.expectCompressedRequest(agent);

      const ledger = w.ledger();
      expect(ledger).toHaveLength(1);
      expect(ledger[0]).toMatchObject({ agent, status: 200 });
      expect(ledger[0]!.wrap).toMatch(/^[0-9a-f-]{36}$/);
      expect(ledger[0]!.tokensAfter as number).toBeLessThan(ledger[0]!.tokensBefore as number);
    });

    it("claude through the user's own ANTHROPIC_BASE_URL (HEADROOM_ANTHROPIC_UPSTREAM unset)", async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], {
        FAKE_AGENT_MODE: 'ask',
        FAKE_TOOL_OUTPUT_FILE: toolFile,
        HEADROOM_ANTHROPIC_UPSTREAM: undefined,
        ANTHROPIC_BASE_URL: w.fake.url,
      });
      const route = await run.waitFor(/ROUTE (\S+)/);
      // The agent talks to the proxy, not to the URL the user had given it.
      expect(route[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/messages$/);
      expect(route[1]).not.toContain(`:${w.fake.port}/`);
      await run.waitFor(/STATUS 200[\s\S]*ANSWER ok: 1 tool outputs/);
      expect((await run.exited).exitCode).toBe(0);
      w.expectCompressedRequest('claude');
    });
  });

  describe('exit codes', () => {
    it('passes the agent exit code through', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], { FAKE_AGENT_MODE: 'exit', FAKE_EXIT_CODE: '7' });
      expect((await run.exited).exitCode).toBe(7);
      await run.waitFor(/Claude Code exited with code 7/);
      await run.waitFor('no model requests went through headroom');
    });

    it('exits 128 + the signal that ended the agent, and names it', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['gemini'], { FAKE_AGENT_MODE: 'signal', FAKE_SIGNAL: 'SIGTERM' });
      expect((await run.exited).exitCode).toBe(143);
      await run.waitFor(/Gemini CLI ended by SIGTERM/);
    });

    it('an agent that prints megabytes and exits at once: every line reaches the terminal, before the summary', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      // cat exits the moment its last write is taken, with output still buffered in its terminal.
      const lines = 45_000;
      const file = join(w.home, 'big.txt');
      fs.writeFileSync(file, Array.from({ length: lines }, (_, i) => `line ${i} ${'x'.repeat(60)}\n`).join('') + 'END OF FILE\n');
      const catBin = join(w.home, 'cat-bin');
      fs.mkdirSync(catBin);
      fs.writeFileSync(join(catBin, 'claude'), `#!/bin/sh\nexec cat '${file}'\n`, { mode: 0o755 });
      // The loss this guards against hit about half the runs, so a few runs.
      for (let i = 0; i < 4; i++) {
        const run = w.wrapInPty(['claude'], { PATH: `${catBin}:${w.env().PATH}` });
        expect((await run.exited).exitCode).toBe(0);
        await run.waitFor('Claude Code exited with code 0');
        // headroom's own drawing (the status row, between two chunks of the agent's output) left out.
        const out = run.output().replace(/\x1b7[\s\S]*?\x1b8/g, '');
        expect(out.match(/line \d+ x/g)?.length).toBe(lines);
        expect(out.indexOf('END OF FILE')).toBeGreaterThan(0);
        expect(out.indexOf('END OF FILE')).toBeLessThan(out.indexOf('Claude Code exited with code 0'));
        run.dispose();
      }
    });

    it('an agent that exits at once with 1: exit 1 and a summary', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['codex'], { FAKE_AGENT_MODE: 'exit', FAKE_EXIT_CODE: '1' });
      expect((await run.exited).exitCode).toBe(1);
      await run.waitFor(/Codex CLI exited with code 1/);
    });
  });

  describe('keys and signals', () => {
    it('passes keys through raw: Ctrl-C and Ctrl-Z reach the agent as bytes', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], { FAKE_AGENT_MODE: 'keys' });
      await run.waitFor('READY');
      const mark = run.output().length;
      run.write('ab\x03\x1a');
      await run.waitFor(/KEYS [0-9a-f]*1a/, { from: mark });
      const hex = [...run.output().slice(mark).matchAll(/KEYS ([0-9a-f]+)/g)].map((m) => m[1]).join('');
      expect(hex).toBe('6162031a');
      run.write('q');
      expect((await run.exited).exitCode).toBe(0);
    });

    it('Ctrl-C interrupts an agent in cooked mode, and headroom exits with its 130', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['aider'], { FAKE_AGENT_MODE: 'cooked' });
      await run.waitFor('READY');
      run.write('\x03');
      await run.waitFor('GOT SIGINT');
      expect((await run.exited).exitCode).toBe(130);
      // 130 from an agent that handled SIGINT reads the same as an agent ended by SIGINT.
      await run.waitFor(/Aider (exited with code 130|ended by SIGINT)/);
    });
  });

  describe('resize', () => {
    it('gives the agent every row but the status row, follows resizes, and survives 1- and 2-row terminals', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], { FAKE_AGENT_MODE: 'size' });
      await run.waitFor(`SIZE ${ROWS - 1} ${COLS}`);
      await run.waitForScreen((l) => /^headroom · claude · waiting for the first request/.test(l[ROWS - 1]!));

      const resizeTo = async (cols: number, rows: number, want: string): Promise<void> => {
        const mark = run.output().length;
        run.resize(cols, rows);
        await run.waitFor(want, { from: mark });
      };
      await resizeTo(120, 40, 'SIZE 39 120');
      await run.waitForScreen((l) => l.length === 40 && /^headroom · claude ·/.test(l[39]!));
      await resizeTo(120, 1, 'SIZE 1 120');
      await resizeTo(120, 2, 'SIZE 2 120');
      await resizeTo(120, 30, 'SIZE 29 120');
      // The status line comes back once there is room for it, on the new last row, and only there.
      const screen = await run.waitForScreen((l) => /^headroom · claude ·/.test(l[29]!));
      expect(screen.filter((l) => l.includes('headroom · claude ·'))).toHaveLength(1);

      run.write('q');
      expect((await run.exited).exitCode).toBe(0);
    });

    it('--no-status gives the agent the whole terminal', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude', '--no-status'], { FAKE_AGENT_MODE: 'size' });
      await run.waitFor(`SIZE ${ROWS} ${COLS}`);
      const mark = run.output().length;
      run.resize(90, 20);
      await run.waitFor('SIZE 20 90', { from: mark });
      run.write('q');
      expect((await run.exited).exitCode).toBe(0);
      expect(run.output()).not.toMatch(/waiting for the first request/);
    });
  });

  it('restores the terminal after an agent dies in the alternate screen with modes on', async ({ onTestFinished }) => {
    const w = await World.create(onTestFinished);
    const script = `"${process.execPath}" "${CLI}" wrap claude; echo "HEADROOM EXIT $?"; stty -a`;
    const run = w.pty('/bin/bash', ['--norc', '--noprofile', '-c', script], { FAKE_AGENT_MODE: 'alt-die' });
    await run.waitFor('ALT SCREEN');
    await run.waitFor(/HEADROOM EXIT 137/);
    await run.waitFor(/speed \d+ baud[\s\S]*\bicanon\b/);
    expect((await run.exited).exitCode).toBe(0);

    const out = run.output();
    const afterAgent = out.slice(out.indexOf('ALT SCREEN'));
    for (const seq of ['\x1b[?1049l', '\x1b[?1000l', '\x1b[?1006l', '\x1b[?2004l', '\x1b[?25h', '\x1b[<1u', '\x1b[r']) {
      expect(afterAgent, JSON.stringify(seq)).toContain(seq);
    }
    expect(stripAnsi(afterAgent)).toMatch(/Claude Code ended by SIGKILL/);
    const stty = out.slice(out.indexOf('HEADROOM EXIT'));
    expect(stty).toMatch(/(^|\s)icanon(\s|;|$)/m);
    expect(stty).toMatch(/(^|\s)echo(\s|;|$)/m);
    expect(stty).not.toMatch(/(^|\s)-icanon(\s|;|$)/m);
    expect(stty).not.toMatch(/(^|\s)-echo(\s|;|$)/m);
    expect(stty).toMatch(/(^|\s)opost(\s|;|$)/m);
    expect(stty).not.toMatch(/(^|\s)-opost(\s|;|$)/m);
    // The main screen is back, without the agent's alternate-screen text.
    const screen = await run.screen();
    expect(screen.some((l) => l.includes('ALT SCREEN'))).toBe(false);
  });

  describe('options and agent arguments', () => {
    it("reads headroom's options after the agent name and gives the agent only what follows --", async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      // A stand-in claude that prints its arguments.
      const dir = fs.mkdtempSync(join(scratch, 'args-bin-'));
      fs.writeFileSync(join(dir, 'claude'), '#!/bin/sh\nprintf "ARGS"; for a in "$@"; do printf " [%s]" "$a"; done; echo\n', { mode: 0o755 });
      const r = await w.wrapPlain(['claude', '--no-ledger', '--', '-p', 'why does it fail?', '--no-status'], { PATH: `${dir}:${process.env.PATH ?? ''}` });
      expect(r.code).toBe(0);
      // Claude Code also gets the session-only settings file holding the source-compression hook.
      expect(r.out).toMatch(/ARGS \[--settings\] \[[^\]]*\/sessions\/[0-9a-f-]+\/claude-settings\.json\] \[-p\] \[why does it fail\?\] \[--no-status\]/);
      const plain = await w.wrapPlain(['claude', '--no-exec-hook', '--', '-p', 'why?'], { PATH: `${dir}:${process.env.PATH ?? ''}` });
      expect(plain.out).toContain('ARGS [-p] [why?]\n');
      // The user's own --settings: no second one, and wrap says why at exit.
      const own = await w.wrapPlain(['claude', '--', '--settings', 'mine.json', '-p', 'why?'], { PATH: `${dir}:${process.env.PATH ?? ''}` });
      expect(own.out).toContain('ARGS [--settings] [mine.json] [-p] [why?]\n');
      expect(own.err).toContain('big command outputs are not compressed at the source: you passed --settings');
    });

    it('an option headroom does not know, before --: exit 2', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['claude', '--model', 'x'], { FAKE_AGENT_MODE: 'ask' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/unknown option '--model'/);
      expect(r.out).not.toContain('TTY');
    });
  });

  describe('without a terminal', () => {
    it('runs the agent with plain stdio, still routed; the summary goes to stderr', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['copilot'], { FAKE_AGENT_MODE: 'ask', FAKE_TOOL_OUTPUT_FILE: toolFile, FAKE_EXIT_CODE: '5' });
      expect(r.code).toBe(5);
      expect(r.out).toContain('TTY no');
      expect(r.out).toMatch(/STATUS 200/);
      expect(r.out).toMatch(/ANSWER ok: 1 tool outputs/);
      expect(r.out).not.toMatch(/exited with code|headroom ·/);
      expect(stripAnsi(r.err)).toMatch(/GitHub Copilot CLI exited with code 5[\s\S]*saved/);
      w.expectCompressedRequest('copilot');
    });

    it('works with stdin closed (no stdin at all)', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['aider'], { FAKE_AGENT_MODE: 'ask', FAKE_TOOL_OUTPUT_FILE: toolFile }, 'ignore');
      expect(r.code).toBe(0);
      expect(r.out).toContain('TTY no');
      expect(r.out).toMatch(/ANSWER ok: 1 tool outputs/);
      expect(stripAnsi(r.err)).toMatch(/Aider exited with code 0/);
    });
  });

  it('with stdin closed in a terminal: plain mode, the summary on the terminal', async ({ onTestFinished }) => {
    const w = await World.create(onTestFinished);
    const script = `"${process.execPath}" "${CLI}" wrap claude <&-; echo "HEADROOM EXIT $?"`;
    const run = w.pty('/bin/bash', ['--norc', '--noprofile', '-c', script], { FAKE_AGENT_MODE: 'ask', FAKE_TOOL_OUTPUT_FILE: toolFile, FAKE_EXIT_CODE: '3' });
    await run.waitFor(/HEADROOM EXIT 3/);
    const out = stripAnsi(run.output());
    expect(out).toContain('TTY no');
    expect(out).toMatch(/ANSWER ok: 1 tool outputs[\s\S]*Claude Code exited with code 3[\s\S]*saved/);
    expect(out).not.toMatch(/waiting for the first request/);
    w.expectCompressedRequest('claude');
  });

  describe('bad input: exit 2 with a clear message', () => {
    it('an unknown agent: lists the known ones', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['vim'], {});
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/unknown agent "vim"; headroom wraps: claude, codex, copilot, gemini, aider/);
      expect(r.out).toBe('');
    });

    it('a --port that is taken', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      w.cleanup(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
      const port = (blocker.address() as net.AddressInfo).port;
      const r = await w.wrapPlain(['claude', '--port', String(port)], { FAKE_AGENT_MODE: 'ask' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`port ${port} is already in use`));
      expect(r.out).not.toContain('TTY'); // the agent never started
    });

    it('a --port that is taken, with --memory: exits with the error, leaving no session folder (it hung with the memory open)', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      w.cleanup(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
      const port = (blocker.address() as net.AddressInfo).port;
      const r = await w.wrapPlain(['claude', '--memory', '--port', String(port)], { FAKE_AGENT_MODE: 'ask' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`port ${port} is already in use`));
      expect(r.out).not.toContain('TTY');
      const sessions = join(w.home, 'sessions');
      expect(fs.existsSync(sessions) ? fs.readdirSync(sessions) : []).toEqual([]);
    });

    it('an agent that is not installed: names the package', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const emptyDir = fs.mkdtempSync(join(scratch, 'empty-path-'));
      const r = await w.wrapPlain(['claude'], { PATH: emptyDir });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/Claude Code is not installed[\s\S]*npm install -g @anthropic-ai\/claude-code/);
    });

    it('copilot without COPILOT_PROVIDER_BASE_URL: explains bring-your-own-key', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['copilot'], { COPILOT_PROVIDER_BASE_URL: undefined, FAKE_AGENT_MODE: 'ask' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/cannot proxy[\s\S]*bring-your-own-key[\s\S]*COPILOT_PROVIDER_BASE_URL/);
      expect(r.out).not.toContain('TTY');
    });

    it('codex without OPENAI_API_KEY', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const r = await w.wrapPlain(['codex'], { OPENAI_API_KEY: undefined, FAKE_AGENT_MODE: 'ask' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/set OPENAI_API_KEY/);
      expect(r.out).not.toContain('TTY');
    });
  });

  describe('no orphaned agent', () => {
    it.for([
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const)('%s to headroom ends the agent and headroom exits %i', async ([signal, code], { onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], { FAKE_AGENT_MODE: 'wait' });
      const agentPid = Number((await run.waitFor(/PID (\d+)/))[1]);
      expect(agentPid).toBeGreaterThan(0);
      expect(agentPid).not.toBe(run.pid);
      process.kill(run.pid, signal);
      expect((await run.exited).exitCode).toBe(code);
      expect(await goneWithin(agentPid, 5000)).toBe(true);
    });

    it('SIGKILL to headroom: the agent still goes (its terminal hangs up)', async ({ onTestFinished }) => {
      const w = await World.create(onTestFinished);
      const run = w.wrapInPty(['claude'], { FAKE_AGENT_MODE: 'wait' });
      const agentPid = Number((await run.waitFor(/PID (\d+)/))[1]);
      w.cleanup(() => {
        try {
          process.kill(agentPid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      });
      process.kill(run.pid, 'SIGKILL');
      await run.exited;
      expect(await goneWithin(agentPid, 5000)).toBe(true);
    });
  });
});
