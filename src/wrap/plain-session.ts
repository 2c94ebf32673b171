import { spawn } from 'node:child_process';
import { exitStatus, type ExitStatus } from '../exec/exit-status.js';
import { KILL_AFTER_MS } from './stop-signals.js';

export interface PlainSessionOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * Runs the agent with headroom's own stdin/stdout/stderr (pipes, CI, print mode): no PTY, no
 * status line. SIGTERM and SIGHUP are passed on; SIGINT is not, because a Ctrl-C at a
 * terminal already reaches the whole foreground process group, agent included — headroom
 * only waits for the agent to finish.
 */
export function runPlain(opts: PlainSessionOptions): Promise<ExitStatus> {
  const child = spawn(opts.file, opts.args, { cwd: opts.cwd, env: opts.env, stdio: 'inherit' });
  const ignore = (): void => undefined;
  let killTimer: NodeJS.Timeout | undefined;
  // An agent that has not exited some time after SIGTERM or SIGHUP is killed.
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  };
  const handlers = [['SIGINT', ignore], ['SIGTERM', forward('SIGTERM')], ['SIGHUP', forward('SIGHUP')]] as const;
  const onProcessExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP');
  };
  for (const [s, h] of handlers) process.on(s, h);
  process.on('exit', onProcessExit);
  return new Promise<ExitStatus>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(killTimer);
      for (const [s, h] of handlers) process.off(s, h);
      process.off('exit', onProcessExit);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(exitStatus(code, signal));
    });
  });
}
