import { readFileSync } from 'node:fs';
import { CliError } from './exit-codes.js';

const decoder = new TextDecoder('utf-8'); // invalid sequences become U+FFFD, never an exception

/** Text of FILE, or of standard input for `-` (or no FILE when input is piped). */
export async function readInput(file: string | undefined): Promise<string> {
  return decoder.decode(await readInputBytes(file));
}

/** The bytes of FILE or standard input, for callers that must pass them through untouched. */
export async function readInputBytes(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') {
    if (file === undefined && process.stdin.isTTY) {
      throw new CliError('no input: give a FILE, or pipe text into headroom (use - for standard input)');
    }
    // Streamed, not readFileSync(0): a non-blocking pipe would fail with EAGAIN.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new CliError(`cannot read ${file}: ${why}`, undefined, { cause: err });
  }
}
