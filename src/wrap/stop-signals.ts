import { writeSync } from 'node:fs';

/** Signals that end headroom; while the agent runs they are passed on to it instead. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** An agent that has not exited this long after SIGTERM or a hang-up is killed. */
export const KILL_AFTER_MS = 5000;

/**
 * Until the agent runs (its session then passes these signals on to it), a signal that would
 * end headroom is recorded instead, so that what was set up is taken down again before exiting.
 */
export class StopSignals {
  received: NodeJS.Signals | undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.received ??= signal;
  };

  constructor() {
    for (const s of STOP_SIGNALS) process.on(s, this.onSignal);
  }

  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.onSignal);
  }
}

/** Whether the terminal behind `stream` hung up (its window was closed, its tmux session killed). */
export function terminalGone(stream: NodeJS.WriteStream): boolean {
  if (!stream.isTTY) return false;
  try {
    writeSync((stream as unknown as { fd: number }).fd, '');
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EIO' || code === 'ENXIO' || code === 'EBADF';
  }
}

/**
 * Ends headroom as a program whose terminal hung up ends: by SIGHUP. Exiting normally would have
 * Node restore the terminal modes it found at start on a terminal that is gone, which it treats
 * as fatal (an abort and a core dump).
 */
export function endByHangup(): void {
  for (const s of STOP_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, 'SIGHUP');
}
