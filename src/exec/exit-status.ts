import { constants } from 'node:os';

/** How a process headroom ran (a command under `headroom exec`, a wrapped agent) ended. */
export interface ExitStatus {
  /** The exit code, or 128 + the signal number when a signal ended it. */
  code: number;
  /** The signal's name when one ended it. */
  signal?: string;
}

/** From an exit code and a signal given as a number (node-pty) or a name (child_process). */
export function exitStatus(code: number | null | undefined, signal: number | string | null | undefined): ExitStatus {
  if (signal) {
    const num = typeof signal === 'number' ? signal : (constants.signals[signal as NodeJS.Signals] ?? 0);
    const name = typeof signal === 'string' ? signal : Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
    return { code: 128 + num, ...(name ? { signal: name } : {}) };
  }
  return { code: code ?? 1 };
}
