import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import * as pty from 'node-pty';
import { exitStatus, type ExitStatus } from './exit-status.js';
import { layoutSequence, regionSequence, releaseSequence, ScreenGuard, statusSequence } from './screen.js';

export interface PtySessionOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The status line for a terminal width; none when omitted. */
  status?: (columns: number) => string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

export interface PtySession {
  pid: number;
  /** Redraw the status line soon (throttled). */
  statusChanged(): void;
  exited: Promise<ExitStatus>;
}

/**
 * Output post-processing off on the real terminal (libuv's raw mode keeps it): the agent's
 * bytes were already post-processed by its own PTY, and doing it twice costs throughput.
 * setRawMode(false) puts back the settings libuv saved, post-processing included.
 */
function rawOutput(): void {
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}

/** The status line needs a terminal this tall; smaller ones give every row to the agent. */
const MIN_ROWS_FOR_STATUS = 3;
const DRAW_INTERVAL_MS = 250;

/**
 * Runs the agent under a pseudo-terminal sized to the real one (minus the status row):
 * keystrokes go to it raw (Ctrl-C and Ctrl-Z included), its output comes back as it is,
 * with backpressure, resizes are forwarded, and the terminal is restored however it ends.
 */
export function runInPty(opts: PtySessionOptions): PtySession {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  let rows = stdout.rows || 24;
  let cols = stdout.columns || 80;
  const statusFits = (): boolean => opts.status !== undefined && rows >= MIN_ROWS_FOR_STATUS;
  let statusOn = statusFits();
  const agentRows = (): number => (statusOn ? rows - 1 : rows);
  const guard = new ScreenGuard(statusOn ? agentRows() : 0);
  let needRegion = false;
  /** After a resize: the region and the status row are laid out afresh (see layoutSequence). */
  let needLayout = false;
  let dirty = true;
  let lastDraw = 0;
  let restored = false;

  const write = (s: string | Buffer): boolean => {
    try {
      return stdout.write(s);
    } catch {
      return true; // the terminal went away; the exit path cleans up
    }
  };

  if (statusOn) {
    // Free the last row (scrolling the screen up one line if the cursor is on it) and fence it off.
    write(layoutSequence(agentRows()));
  }

  const child = pty.spawn(opts.file, opts.args, {
    name: opts.env.TERM || 'xterm-256color',
    cols,
    rows: agentRows(),
    cwd: opts.cwd,
    env: opts.env,
    encoding: null,
  });

  const draw = (force: boolean): void => {
    if (!statusOn || restored || !guard.canDraw) return;
    if (needLayout) {
      write(layoutSequence(agentRows()));
      needLayout = false;
      needRegion = false;
      force = true;
    } else if (needRegion) {
      write(regionSequence(agentRows()));
      needRegion = false;
      force = true;
    }
    const now = Date.now();
    if (!force && (!dirty || now - lastDraw < DRAW_INTERVAL_MS)) return;
    write(statusSequence(rows, opts.status!(cols)));
    dirty = false;
    lastDraw = now;
  };
  const timer = setInterval(() => draw(false), DRAW_INTERVAL_MS);
  timer.unref();

  // Chunks that arrive together are written together: fewer, larger writes to the terminal.
  let pending: Buffer[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    const flowing = write(out);
    draw(needRegion || needLayout);
    if (!flowing) {
      child.pause();
      stdout.once('drain', () => child.resume());
    }
  };
  child.onData((data: string | Buffer) => {
    const { out, wiped } = guard.scan(typeof data === 'string' ? Buffer.from(data) : data);
    if (wiped && statusOn) needRegion = true;
    if (pending.push(out) === 1) setImmediate(flush);
  });

  const onInput = (d: Buffer): void => child.write(d);
  const onResize = (): void => {
    rows = stdout.rows || rows;
    cols = stdout.columns || cols;
    const wasOn = statusOn;
    statusOn = statusFits();
    if (wasOn && !statusOn) write(releaseSequence(rows));
    guard.agentRows = statusOn ? agentRows() : 0;
    try {
      child.resize(cols, agentRows());
    } catch {
      // the agent is exiting
    }
    if (statusOn) {
      needLayout = true;
      draw(true);
    }
  };
  const forward = (signal: NodeJS.Signals) => (): void => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  };
  const signalHandlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);

  /** Gives the terminal back: the agent's leftover modes off, the region and the status row cleared, cooked input. */
  const restore = (): void => {
    if (restored) return;
    if (pending.length > 0) write(Buffer.concat(pending)); // the agent's last output goes before the restore
    pending = [];
    restored = true;
    clearInterval(timer);
    const seq = guard.restoreSequence() + (statusOn ? releaseSequence(rows) : '');
    try {
      writeSync((stdout as unknown as { fd: number }).fd ?? 1, seq);
    } catch {
      write(seq);
    }
    stdin.off('data', onInput);
    stdout.off('resize', onResize);
    for (const [s, h] of signalHandlers) process.off(s, h);
    process.off('exit', onProcessExit);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  };
  // If headroom itself dies, the agent must not outlive it and the terminal must come back.
  const onProcessExit = (): void => {
    restore();
    try {
      child.kill('SIGHUP');
    } catch {
      // already gone
    }
  };

  if (stdin.isTTY) {
    stdin.setRawMode(true);
    rawOutput();
  }
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  for (const [s, h] of signalHandlers) process.on(s, h);
  process.on('exit', onProcessExit);
  draw(true);

  const exited = new Promise<ExitStatus>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      restore();
      resolve(exitStatus(exitCode, signal));
    });
  });

  return {
    pid: child.pid,
    statusChanged: () => {
      dirty = true;
    },
    exited,
  };
}
