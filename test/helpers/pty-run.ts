import xtermHeadless from '@xterm/headless';
import * as pty from 'node-pty';
import { holdAgentSide } from '../../src/wrap/pty-drain.js';

const { Terminal } = xtermHeadless;

export interface PtyRunOptions {
  cols?: number;
  rows?: number;
  env: Record<string, string | undefined>;
  cwd?: string;
}

interface PtyExit {
  exitCode: number;
  signal?: number;
}

/**
 * A program running in an outer pseudo-terminal, as a person's terminal would run it: its
 * output is kept as text and fed into a headless xterm, so a test can read both the raw
 * bytes and what the screen shows.
 */
export interface PtyRun {
  readonly pid: number;
  /** Everything the program wrote so far. */
  output(): string;
  /** Waits until the output (from `from` on) matches; rejects with the output so far on timeout. */
  waitFor(pattern: RegExp | string, opts?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** The screen's rows as text (trailing blanks trimmed), once the terminal has taken all output so far. */
  screen(): Promise<string[]>;
  /** Polls the screen until `test` passes; rejects with the last screen on timeout. */
  waitForScreen(test: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  exited: Promise<PtyExit>;
  /** Kills the program if it is still running (SIGKILL) and frees the terminal. */
  dispose(): void;
}

export function runInOuterPty(file: string, args: string[], opts: PtyRunOptions): PtyRun {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const env = Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const p = pty.spawn(file, args, { name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? process.cwd(), env });
  // As headroom does for its agent: every byte the program wrote is read before the exit is reported.
  const agentSide = holdAgentSide(p);
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  let out = '';
  let done = false;
  let disposed = false;
  const listeners = new Set<() => void>();
  // As a terminal does, the headless xterm answers queries (where the cursor is, ...) on the program's input.
  term.onData((d) => {
    if (!done) p.write(d);
  });
  p.onData((d) => {
    out += d;
    if (!disposed) term.write(d);
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<PtyExit>((resolve) => {
    p.onExit(({ exitCode, signal }) => {
      agentSide.release();
      done = true;
      for (const l of [...listeners]) l();
      resolve({ exitCode, ...(signal ? { signal } : {}) });
    });
  });

  const waitFor = (pattern: RegExp | string, o: { from?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> => {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const from = o.from ?? 0;
    const timeoutMs = o.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = re.exec(out.slice(from));
        if (m) {
          finish();
          resolve(m);
          return true;
        }
        if (done) {
          finish();
          reject(new Error(`program exited before ${re} appeared; output:\n${JSON.stringify(out.slice(-3000))}`));
          return true;
        }
        return false;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${re}; output:\n${JSON.stringify(out.slice(-3000))}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      check();
    });
  };

  const screen = (): Promise<string[]> =>
    new Promise((resolve) => {
      term.write('', () => {
        const buf = term.buffer.active;
        const lines: string[] = [];
        for (let y = 0; y < term.rows; y++) lines.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
        resolve(lines);
      });
    });

  const waitForScreen = async (test: (lines: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const lines = await screen();
      if (test(lines)) return lines;
      if (Date.now() > until) throw new Error(`the screen never passed the test; it shows:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    pid: p.pid,
    output: () => out,
    waitFor,
    write: (data) => p.write(data),
    resize: (c, r) => {
      p.resize(c, r);
      term.resize(c, r);
    },
    screen,
    waitForScreen,
    exited,
    dispose: () => {
      if (!done) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      if (!disposed) term.dispose();
      disposed = true;
    },
  };
}
