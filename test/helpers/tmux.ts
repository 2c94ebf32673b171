import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';

const CI_VARIABLES = ['CI', 'GITHUB_ACTIONS', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID'];

/**
 * A detached tmux session on its own server socket: what a person would see in a terminal,
 * driven with send-keys and read with capture-pane.
 */
export class TmuxSession {
  private readonly socket: string;
  private readonly statusFile: string;
  readonly name = 'headroom-test';

  constructor(command: string, opts: { width: number; height: number; env: Record<string, string>; cwd: string }) {
    this.socket = join(fs.mkdtempSync(join(os.tmpdir(), 'headroom-tmux-')), 'sock');
    // tmux's own shell may reset variables such as PATH, so they are set by `env` in the command.
    const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
    const env = Object.entries(opts.env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    // A person's terminal, not a CI job: CLIs such as Gemini CLI refuse to be interactive
    // when CI=true, which the CI machine sets for the test process (and so for tmux).
    const notCi = CI_VARIABLES.map((k) => `-u ${k}`).join(' ');
    // The exit status goes to a file: tmux does not always report a dead pane's status.
    this.statusFile = join(this.socket, '..', 'status');
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(opts.width), '-y', String(opts.height), '-c', opts.cwd, `env ${notCi} ${env} ${command}; echo $? > ${this.statusFile}`);
    // Keep the pane after the command exits, so its last screen can still be read.
    this.tmux('set-option', '-t', this.name, 'remain-on-exit', 'on');
    // As most terminals do; otherwise Claude Code shows a passing tmux notice at random moments.
    this.tmux('set-option', '-g', 'focus-events', 'on');
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** The visible screen, one string per row (trailing spaces trimmed). */
  screen(): string[] {
    return this.tmux('capture-pane', '-p', '-t', this.name).replace(/\n$/, '').split('\n');
  }

  /** The scrollback and the screen below it, one string per row (trailing spaces trimmed). */
  history(): string[] {
    return this.tmux('capture-pane', '-p', '-S', '-', '-t', this.name).replace(/\n$/, '').split('\n').map((r) => r.trimEnd());
  }

  sendKeys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Literal text, no key-name lookup. */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
  }

  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(width), '-y', String(height));
  }

  /** Exit status of the pane's command once it has exited, else undefined. */
  exitStatus(): number | undefined {
    const text = fs.existsSync(this.statusFile) ? fs.readFileSync(this.statusFile, 'utf8').trim() : '';
    return text === '' ? undefined : Number(text);
  }

  /** Waits for the pane's command to exit and returns its exit status. */
  async waitForExit(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const status = this.exitStatus();
      if (status !== undefined) return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the command did not exit in ${timeoutMs} ms; screen:\n${this.screen().join('\n')}`);
  }

  /** Polls the screen until `test` accepts it; throws with the last screen after `timeoutMs`. */
  async waitFor(test: (rows: string[]) => boolean, timeoutMs = 30_000, what = 'the expected screen'): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = this.screen();
      if (test(rows)) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${rows.join('\n')}`);
  }

  /** Like waitFor, and then until the screen has not changed for `quietMs` (the program is done drawing). */
  async waitForSettled(test: (rows: string[]) => boolean, timeoutMs = 30_000, what = 'the expected screen', quietMs = 1500): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows = await this.waitFor(test, timeoutMs, what);
    let since = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const now = this.screen();
      if (now.join('\n') !== rows.join('\n') || !test(now)) {
        rows = now;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return rows;
    }
    throw new Error(`timed out waiting for ${what} to settle; screen:\n${rows.join('\n')}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    fs.rmSync(join(this.socket, '..'), { recursive: true, force: true });
  }
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
