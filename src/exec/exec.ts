import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headroomHome } from '../config.js';
import { FileCcrStore } from '../compress/ccr-store.js';
import { countTokens } from '../compress/tokens.js';
import type { ExitStatus } from './exit-status.js';
import { digestFile } from './huge-output.js';
import { IN_MEMORY_BYTES, runCaptured, type CapturedOutput } from './run-captured.js';
import { compressSourceText, fitToChars, NOTE_ROOM, retrieveNote, roughTokens } from './source-compress.js';
import { recordSourceSaving } from './source-log.js';

export interface ExecOptions {
  /** One shell string (run by `bash -c`), or a program and its arguments. */
  command: string[];
  query: string;
  minTokens: number;
  timeoutMs?: number;
  /** Keep the compressed output under this many characters (for agents that cut longer outputs themselves). */
  maxChars?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  out?: NodeJS.WritableStream;
}

export interface OutputResult {
  /** What to show: the compressed text, or the output's own bytes when it was left alone. */
  printed: string | Buffer;
  tokensBefore: number;
  tokensAfter: number;
  /** Set when the output was compressed: `headroom retrieve KEY` prints the original. */
  key?: string;
}

export interface ExecResult extends Omit<OutputResult, 'printed'> {
  exit: ExitStatus;
  timedOut: boolean;
}

/**
 * `headroom exec`: runs a command, and prints its output unchanged when small, or compressed
 * (query-aware, the original kept for `headroom retrieve`) when large. Binary output is never touched.
 */
export async function execCommand(opts: ExecOptions): Promise<ExecResult> {
  const env = opts.env ?? process.env;
  const out = opts.out ?? process.stdout;
  const run = await runCaptured(opts.command, { cwd: opts.cwd, env, spillDir: spillDir(env), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  let r: OutputResult;
  try {
    r = await compressOutput(run.output, { query: opts.query, minTokens: opts.minTokens, env, ...(opts.maxChars ? { maxChars: opts.maxChars } : {}) });
  } catch {
    // The store cannot be written (an agent's sandbox, a full disk): the output as it is, never lost.
    r = { printed: run.output.buffer ?? readFileSync(run.output.file!), tokensBefore: 0, tokensAfter: 0 };
  } finally {
    run.output.discard();
  }
  const { printed, ...result } = r;
  await new Promise<void>((resolve, reject) => out.write(printed, (err) => (err ? reject(err) : resolve())));
  if (result.key) recordSourceSaving(env, { by: 'exec', tokensBefore: result.tokensBefore, tokensAfter: result.tokensAfter, key: result.key });
  return { exit: run.exit, timedOut: run.timedOut, ...result };
}

/** Where output too big for memory goes: HEADROOM_HOME/tmp, or the system's temp dir when that cannot be written. */
function spillDir(env: NodeJS.ProcessEnv): string {
  const dir = join(headroomHome(env), 'tmp');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return tmpdir();
  }
}

/**
 * Compresses a captured output (in memory, or in a file too big for memory, which is digested in
 * one streaming pass). `keepFile` copies a file into the store instead of moving it.
 */
export async function compressOutput(
  output: Pick<CapturedOutput, 'bytes' | 'buffer' | 'file'>,
  opts: { query: string; minTokens: number; env: NodeJS.ProcessEnv; keepFile?: boolean; maxChars?: number },
): Promise<OutputResult> {
  const store = new FileCcrStore(join(headroomHome(opts.env), 'ccr'));
  const bytes = output.buffer ?? (output.bytes <= IN_MEMORY_BYTES ? readFileSync(output.file!) : undefined);
  if (bytes) {
    const text = asText(bytes);
    if (text === undefined) return { printed: bytes, tokensBefore: 0, tokensAfter: 0 };
    const r = compressSourceText(text, { query: opts.query, minTokens: opts.minTokens, store, ...(opts.maxChars ? { maxChars: opts.maxChars } : {}) });
    return { ...r, printed: r.key ? r.text : bytes };
  }
  const file = output.file!;
  const d = await digestFile(file, opts.query, (sha) => sha.slice(0, 16));
  if (!d.text) return { printed: readFileSync(file), tokensBefore: 0, tokensAfter: 0 };
  const key = store.putFile(file, d.sha256, { copy: opts.keepFile === true });
  // Counting every token of hundreds of MB would take longer than the command: estimated from the size.
  const before = roughTokens(output.bytes);
  const digest = opts.maxChars ? `${fitToChars(d.digest.replace(/\n$/, ''), opts.maxChars - NOTE_ROOM, opts.query, key)}\n` : d.digest;
  const printed = `${digest}${retrieveNote(key, before, countTokens(digest), opts.query)}\n`;
  return { printed, tokensBefore: before, tokensAfter: countTokens(printed), key };
}

/** The bytes as text, or undefined for binary output (NUL bytes or invalid UTF-8). */
function asText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
