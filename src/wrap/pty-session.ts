import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import * as pty from 'node-pty';
import { exitStatus, type ExitStatus } from './exit-status.js';
import { findExecutable } from './find-executable.js';
import { foregroundGroup, hangUpSession, JOB_SHELL, StopWatcher } from './job-control.js';
import { holdAgentSide } from './pty-drain.js';
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

  const bash = process.platform === 'linux' ? findExecutable('bash', opts.env.PATH ?? process.env.PATH) : undefined;
  const [file, args] = bash ? [bash, ['--norc', '--noprofile', '-i', '-c', JOB_SHELL, 'headroom-job', opts.file, ...opts.args]] : [opts.file, opts.args];
  const child = pty.spawn(file, args, {
    name: opts.env.TERM || 'xterm-256color',
    cols,
    rows: agentRows(),
    cwd: opts.cwd,
    env: opts.env,
    encoding: null,
  });
  const releaseAgentSide = holdAgentSide(child);

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
  let timer = setInterval(() => draw(false), DRAW_INTERVAL_MS);
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

  let suspended = false;
  /** The agent stopped (Ctrl-Z): give the terminal back and stop headroom too, as a shell job. */
  const suspend = (): void => {
    if (restored || suspended) return;
    suspended = true;
    clearInterval(timer);
    if (statusOn) write(releaseSequence(rows));
    if (stdin.isTTY) stdin.setRawMode(false);
    process.kill(process.pid, 'SIGTSTP');
  };
  /** The shell continued headroom (`fg`): take the terminal again and continue the agent. */
  const onContinue = (): void => {
    if (!suspended || restored) return;
    suspended = false;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      rawOutput();
    }
    timer = setInterval(() => draw(false), DRAW_INTERVAL_MS);
    timer.unref();
    onResize(); // the size may have changed meanwhile; lays the screen out again
    try {
      // The job shell brings the agent back to the foreground (or the agent itself, started directly).
      process.kill(bash ? child.pid : -child.pid, 'SIGCONT');
      // Once back in front, full-screen agents redraw (and learn a size that changed meanwhile).
      setTimeout(() => signalAgent('SIGWINCH'), 100).unref();
    } catch {
      // already gone
    }
  };
  const stops = new StopWatcher(child.pid, suspend);
  const onInput = (d: Buffer): void => {
    child.write(d);
    stops.input(d);
  };
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
  /** A signal for the agent goes to the terminal's foreground group: the agent's, not the job shell's. */
  const signalAgent = (signal: NodeJS.Signals): void => {
    try {
      const group = foregroundGroup(child.pid);
      if (group !== undefined) process.kill(-group, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  const forward = (signal: NodeJS.Signals) => (): void => signalAgent(signal);
  const signalHandlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);

  /** Gives the terminal back: the agent's leftover modes off, the region and the status row cleared, cooked input. */
  const restore = (): void => {
    if (restored) return;
    if (pending.length > 0) write(Buffer.concat(pending)); // the agent's last output goes before the restore
    pending = [];
    restored = true;
    clearInterval(timer);
    stops.stop();
    process.off('SIGCONT', onContinue);
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
    releaseAgentSide();
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
  process.on('SIGCONT', onContinue);
  draw(true);

  const exited = new Promise<ExitStatus>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      releaseAgentSide();
      restore();
      hangUpSession(child.pid);
      // The job shell reports an agent ended by signal N as status 128 + N.
      const bySignal = bash !== undefined && !signal && exitCode > 128 && exitCode < 160;
      resolve(bySignal ? exitStatus(null, exitCode - 128) : exitStatus(exitCode, signal));
    });
  });

  return {
    statusChanged: () => {
      dirty = true;
    },
    exited,
  };
}
