import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { exitStatus, type ExitStatus } from './exit-status.js';

/** What a command printed, stdout and stderr interleaved as written: in memory, or in a file once it grew past the cap. */
export interface CapturedOutput {
  bytes: number;
  /** The output, when it stayed under the memory cap. */
  buffer?: Buffer;
  /** The file holding the output, when it did not; removed by `discard()`. */
  file?: string;
  discard(): void;
}

/** Output up to this size is held (and compressed) in memory; larger output goes to a file and is digested as a stream. */
export const IN_MEMORY_BYTES = 8 * 1024 * 1024;

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command (SIGTERM, then SIGKILL 2 s later) after this many milliseconds. */
  timeoutMs?: number;
  /** Output kept in memory up to this many bytes; beyond it goes to a file in `spillDir`. */
  memoryCap?: number;
  spillDir: string;
}

export interface RunResult {
  exit: ExitStatus;
  output: CapturedOutput;
  timedOut: boolean;
}

/**
 * The argv that runs the command with stderr joined to stdout in one pipe, so their order is the
 * order they were written in. A single string is a shell command and goes to `bash -c` unchanged
 * (redirections, pipes and `&&` mean what they say); several words are a program and its arguments.
 */
function commandArgv(command: readonly string[]): string[] {
  const target = command.length === 1 ? ['bash', '-c', command[0]!] : [...command];
  return ['sh', '-c', 'exec "$@" 2>&1', 'sh', ...target];
}

/**
 * Runs a command and captures its combined output with bounded memory. stdin is passed through;
 * SIGTERM and SIGHUP sent to headroom are passed on to the command. SIGINT is not: a Ctrl-C at a
 * terminal already reaches the whole foreground process group, command included, and headroom
 * waits for the command to finish (a second SIGINT would make some programs quit unclean).
 */
export function runCaptured(command: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [file, ...args] = commandArgv(command);
  // The handlers go in before the command starts: once it runs (and can say it is ready), a
  // SIGINT no longer ends headroom, and a SIGTERM that came while it was starting still reaches it.
  let started: ChildProcess | undefined;
  let early: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => (): void => {
    if (started) started.kill(signal);
    else early = signal;
  };
  const handlers = [['SIGINT', () => undefined], ['SIGTERM', forward('SIGTERM')], ['SIGHUP', forward('SIGHUP')]] as const;
  for (const [s, h] of handlers) process.on(s, h);
  let child: ChildProcess;
  try {
    child = spawn(file!, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['inherit', 'pipe', 'inherit'] });
  } catch (err) {
    for (const [s, h] of handlers) process.off(s, h);
    throw err;
  }
  started = child;
  if (early) child.kill(early);
  const cap = opts.memoryCap ?? IN_MEMORY_BYTES;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let spill: { dir: string; path: string; fd: number } | undefined;

  child.stdout!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!spill && bytes > cap) {
      const dir = mkdtempSync(join(opts.spillDir, 'exec-'));
      const path = join(dir, 'output');
      spill = { dir, path, fd: openSync(path, 'w', 0o600) };
      for (const c of chunks) writeSync(spill.fd, c);
      chunks.length = 0;
    }
    if (spill) writeSync(spill.fd, chunk);
    else chunks.push(chunk);
  });

  let timedOut = false;
  let killer: NodeJS.Timeout | undefined;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      }, opts.timeoutMs)
    : undefined;

  return new Promise<RunResult>((resolve, reject) => {
    const done = (): void => {
      for (const [s, h] of handlers) process.off(s, h);
      clearTimeout(timer);
      clearTimeout(killer);
    };
    child.once('error', (err) => {
      done();
      reject(err);
    });
    // 'close' waits for the output pipe to drain, unlike 'exit'.
    child.once('close', (code, signal) => {
      done();
      let output: CapturedOutput;
      if (spill) {
        closeSync(spill.fd);
        const { dir, path } = spill;
        output = { bytes, file: path, discard: () => rmSync(dir, { recursive: true, force: true }) };
      } else {
        output = { bytes, buffer: Buffer.concat(chunks), discard: () => undefined };
      }
      resolve({ exit: exitStatus(code, signal), output, timedOut });
    });
  });
}
