import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { execCommand } from '../exec/exec.js';
import { DEFAULT_MIN_TOKENS } from '../exec/source-compress.js';
import { sessionQuery } from '../exec/source-log.js';
import { CliError, EXIT } from './exit-codes.js';

export interface ExecCommandOptions {
  query?: string;
  minTokens?: string;
  timeout?: string;
  /** Keep the printed output under this many characters; default HEADROOM_EXEC_MAX_CHARS, else no limit. */
  maxChars?: string;
}

/** The query: --query, else HEADROOM_QUERY, else the wrapped session's latest user message. */
function execQuery(opts: ExecCommandOptions, env: NodeJS.ProcessEnv): string {
  return opts.query ?? sessionQuery(env);
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a positive number, got "${value}"`);
  return n;
}

/** `headroom exec -- COMMAND`: returns the exit code headroom should exit with (the command's). */
export async function execCli(command: string[], opts: ExecCommandOptions): Promise<number> {
  if (command.length === 0) throw new CliError('give the command after --, e.g. headroom exec -- "npm test"');
  const minTokens = positive(opts.minTokens, '--min-tokens') ?? DEFAULT_MIN_TOKENS;
  const timeout = positive(opts.timeout, '--timeout');
  const maxChars = positive(opts.maxChars ?? process.env.HEADROOM_EXEC_MAX_CHARS, '--max-chars');
  if (process.env.HEADROOM_EXEC_ATTACH_TTY === '1' && process.stdout.isTTY) return runAttached(command);
  let r;
  try {
    r = await execCommand({ command, query: execQuery(opts, process.env), minTokens, ...(timeout ? { timeoutMs: timeout * 1000 } : {}), ...(maxChars ? { maxChars: Math.max(1000, Math.floor(maxChars)) } : {}) });
  } catch (err) {
    throw new CliError(`could not run ${command[0]}: ${(err as Error).message}`, EXIT.cannotRun);
  }
  if (r.timedOut) process.stderr.write(`headroom exec: the command ran longer than ${timeout} s and was stopped\n`);
  return r.exit.code;
}

/**
 * With HEADROOM_EXEC_ATTACH_TTY=1 (set by agent hooks that rewrite every command) and a terminal
 * on stdout, the command runs attached to it, unchanged: an agent gave it a terminal because it is
 * interactive or long-running, and its output must come as it is written.
 */
function runAttached(command: string[]): number {
  const argv = command.length === 1 ? ['bash', '-c', command[0]!] : command;
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
  if (r.error) throw new CliError(`could not run ${argv[0]}: ${r.error.message}`, EXIT.cannotRun);
  return r.status ?? 128 + (r.signal ? ((constants.signals as Record<string, number>)[r.signal] ?? 0) : 0);
}
