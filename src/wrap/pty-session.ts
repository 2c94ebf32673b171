import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import * as pty from 'node-pty';
import { exitStatus, type ExitStatus } from '../exec/exit-status.js';
import { findExecutable } from './find-executable.js';
import { foregroundGroup, hangUpSession, JOB_SHELL, StopWatcher } from './job-control.js';
import { CURSOR_QUERY, CursorReport, type CursorPosition } from './cursor-report.js';
import { CursorTracker } from './cursor-tracker.js';
import { holdAgentSide } from './pty-drain.js';
import { KILL_AFTER_MS } from './stop-signals.js';
import { droppedStatusRow, layoutSequence, regionSequence, releaseSequence, resizeSequence, ScrollRegionGuard, statusSequence } from './scroll-region.js';

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
  /**
   * The agent's first screen is up: its output began and then paused for a moment (or a few
   * seconds went by, or it exited). Work that would hold up relaying that screen waits for this.
   */
  started: Promise<void>;
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
/** A resize reaches the agent this late at the most when headroom cannot lay the screen out at once. */
const RESIZE_WAIT_MS = 300;
/** The agent's first screen is up once its output has paused this long... */
const FIRST_SCREEN_QUIET_MS = 150;
/** ...or this long after it was started. */
const FIRST_SCREEN_MAX_MS = 3000;

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
  const guard = new ScrollRegionGuard(statusOn ? agentRows() : 0);
  let needRegion = false;
  /** The terminal's rows the screen was last laid out for (statusOn: with a status row or not). */
  let laidOutRows = rows;
  /** A layout to do: after a resize, or afresh as at start (after a suspend). */
  let relayout: 'resize' | 'fresh' | undefined;
  let resizeTimer: NodeJS.Timeout | undefined;
  // Where the agent's cursor is, for laying the screen out after a resize (with a status row only).
  const tracker = opts.status ? new CursorTracker(agentRows(), cols) : undefined;
  const report = new CursorReport();
  /** Cleared when the terminal once left a cursor position query unanswered: headroom stops asking. */
  let terminalAnswers = true;
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
  const agentSide = holdAgentSide(child);
  let childRows = agentRows();
  let childCols = cols;
  const resizeChild = (agentRowCount: number): void => {
    if (agentRowCount === childRows && cols === childCols) return;
    childRows = agentRowCount;
    childCols = cols;
    try {
      child.resize(cols, agentRowCount);
    } catch {
      // the agent is exiting
    }
  };

  const draw = (force: boolean): void => {
    if (!statusOn || restored || !guard.canDraw || report.pending) return;
    if (needRegion) {
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
    // While headroom waits for the terminal to say where the cursor is, the agent's output waits too.
    if (pending.length === 0 || report.pending) return;
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    const flowing = write(out);
    if (tracker) {
      tracker.feed(out);
      report.agentAsked(tracker.queries);
      tracker.queries = 0;
    }
    applyResize();
    draw(needRegion);
    // Paused while the user's terminal catches up, unless the agent exited: then its last output is read now.
    if (!flowing && !agentSide.draining()) {
      child.pause();
      stdout.once('drain', () => child.resume());
    }
  };
  let isUp = false;
  let quiet: NodeJS.Timeout | undefined;
  let resolveStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  const screenUp = (): void => {
    if (isUp) return;
    isUp = true;
    clearTimeout(latest);
    clearTimeout(quiet);
    resolveStarted();
  };
  const latest = setTimeout(screenUp, FIRST_SCREEN_MAX_MS);
  latest.unref();
  child.onData((data: string | Buffer) => {
    if (!isUp) {
      clearTimeout(quiet);
      quiet = setTimeout(screenUp, FIRST_SCREEN_QUIET_MS);
    }
    const { out, wiped } = guard.scan(typeof data === 'string' ? Buffer.from(data) : data);
    if (wiped && statusOn) needRegion = true;
    if (pending.push(out) === 1) setImmediate(flush);
  });

  /** Asks the terminal where the cursor is: resolves with its answer; the agent's output waits meanwhile. */
  const ask = async (): Promise<CursorPosition | undefined> => {
    if (!tracker || !terminalAnswers || restored) return undefined;
    write(CURSOR_QUERY);
    const p = await report.asked();
    if (!p && !restored) terminalAnswers = false;
    return p;
  };
  /** Finds where the cursor is for the tracker, then lets the agent's output through. */
  const askCursor = (): void => {
    void ask().then((p) => {
      if (p) tracker?.at(p.row - 1, p.col - 1);
      flush();
    });
  };

  /**
   * Lays the screen out for the terminal's new size (see resizeSequence), then tells the agent.
   * Waits while headroom may not write (inside an escape sequence of the agent's, or waiting for
   * an answer); the agent's own output coming through gets it there.
   */
  const applyResize = (): void => {
    const kind = relayout;
    if (!kind || restored || suspended || !guard.canDraw || report.pending) return;
    relayout = undefined;
    clearTimeout(resizeTimer);
    const before = tracker?.row === undefined ? undefined : tracker.row + 1;
    if (kind === 'resize' && statusOn && statusFits() && laidOutRows !== rows && before !== undefined) {
      // Where the cursor is now lets the layout put it back with an absolute move.
      void ask().then((now) => layOut(kind, before, now));
    } else layOut(kind, before, undefined);
  };
  const layOut = (kind: 'resize' | 'fresh', before: number | undefined, now: CursorPosition | undefined): void => {
    if (restored) return;
    const on = statusFits();
    let cursorRow = now?.row;
    if (statusOn && !on) write(releaseSequence(rows));
    else if (on && (!statusOn || kind === 'fresh')) {
      write(layoutSequence(rows - 1));
      cursorRow = undefined;
    } else if (on) {
      write(resizeSequence(laidOutRows, rows, before, now));
      if (cursorRow !== undefined && before !== undefined && rows < laidOutRows && droppedStatusRow(rows, before)) cursorRow--;
    }
    laidOutRows = rows;
    statusOn = on;
    guard.agentRows = on ? agentRows() : 0;
    needRegion = false;
    tracker?.resize(agentRows(), cols);
    if (cursorRow !== undefined && now) tracker?.at(cursorRow - 1, now.col - 1);
    draw(true);
    if (tracker?.row === undefined) askCursor();
    resizeChild(agentRows());
    flush();
  };

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
    // The size may have changed meanwhile, and the shell wrote to the screen: lay it out afresh.
    relayout = 'fresh';
    rows = stdout.rows || rows;
    cols = stdout.columns || cols;
    applyResize();
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
    const forAgent = report.input(d);
    if (forAgent.length === 0) return;
    child.write(forAgent);
    stops.input(forAgent);
  };
  const onResize = (): void => {
    relayout ??= 'resize';
    rows = stdout.rows || rows;
    cols = stdout.columns || cols;
    applyResize();
    if (relayout && !suspended) {
      // headroom cannot write yet: the agent gets its new size anyway, the layout follows.
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => resizeChild(statusFits() ? rows - 1 : rows), RESIZE_WAIT_MS);
      resizeTimer.unref();
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
  let killTimer: NodeJS.Timeout | undefined;
  /** SIGTERM or a hang-up for the agent; one that does not exit in time is killed, with its job shell. */
  const endAgent = (signal: 'SIGTERM' | 'SIGHUP'): void => {
    signalAgent(signal);
    killTimer ??= setTimeout(() => {
      signalAgent('SIGKILL');
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, KILL_AFTER_MS);
  };
  const signalHandlers = [
    ['SIGINT', () => signalAgent('SIGINT')],
    ['SIGTERM', () => endAgent('SIGTERM')],
    ['SIGHUP', () => endAgent('SIGHUP')],
  ] as const;
  /** The terminal went away (its window closed, its tmux session killed): the agent is hung up, as it would be. */
  const onTerminalGone = (): void => {
    if (!restored) endAgent('SIGHUP');
  };

  /** Gives the terminal back: the agent's leftover modes off, the region and the status row cleared, cooked input. */
  const restore = (): void => {
    if (restored) return;
    if (pending.length > 0) write(Buffer.concat(pending)); // the agent's last output goes before the restore
    pending = [];
    restored = true;
    clearInterval(timer);
    clearTimeout(resizeTimer);
    report.cancel();
    stops.stop();
    process.off('SIGCONT', onContinue);
    const seq = guard.restoreSequence() + (statusOn ? releaseSequence(rows) : '');
    try {
      writeSync((stdout as unknown as { fd: number }).fd ?? 1, seq);
    } catch (err) {
      // Through the stream when the terminal is busy; a terminal that went away gets nothing more.
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') write(seq);
    }
    stdin.off('data', onInput);
    stdin.off('end', onTerminalGone);
    stdout.off('resize', onResize);
    for (const [s, h] of signalHandlers) process.off(s, h);
    process.off('exit', onProcessExit);
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // the terminal is gone
    }
    stdin.pause();
  };
  // If headroom itself dies, the agent must not outlive it and the terminal must come back.
  const onProcessExit = (): void => {
    restore();
    agentSide.release();
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
  // A terminal read ends (or fails) only when the terminal hangs up; raw mode has no end-of-file key.
  stdin.on('end', onTerminalGone);
  stdin.on('error', onTerminalGone);
  stdout.on('error', onTerminalGone);
  stdin.resume();
  stdout.on('resize', onResize);
  for (const [s, h] of signalHandlers) process.on(s, h);
  process.on('exit', onProcessExit);
  process.on('SIGCONT', onContinue);
  draw(true);
  askCursor();

  const exited = new Promise<ExitStatus>((resolve) => {
    child.onExit(({ exitCode, signal }) => {
      agentSide.release();
      clearTimeout(killTimer);
      screenUp();
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
    started,
    exited,
  };
}
