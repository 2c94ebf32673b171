import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { recordSourceSaving } from './source-log.js';

/**
 * What every agent's source-compression hook (`headroom hook <event>`) shares, whatever the
 * agent: which commands to leave alone, compressing a big output the agent saved to a file (and
 * counting the saving for `wrap`), the user's latest prompt from a transcript's tail, and running
 * a hook so that it never fails the agent's tool call. How each agent's hook input and answer
 * look stays in src/agents/<agent>-hook.ts.
 */

/** A source hook: its input (parsed JSON) in, its JSON answer out (undefined: no answer, leave the call). */
export type SourceHook = (input: unknown, env: NodeJS.ProcessEnv) => Promise<unknown>;

/** Commands whose output must reach the model as it is: marked raw by the user, or headroom's own. */
export function leaveAlone(command: string): boolean {
  return /^\s*HEADROOM_RAW=1\b/.test(command) || /\bheadroom\s+(exec|retrieve)\b/.test(command);
}

/**
 * The whole output the agent saved to `file`, compressed for `query` within `maxChars`, with the
 * saving recorded for the wrapped session as made `by` this hook; undefined when there is nothing
 * worth doing (a small output) and the agent's own preview should stay.
 */
export async function compressSavedOutput(file: string, opts: { query: string; env: NodeJS.ProcessEnv; maxChars: number; by: string }): Promise<string | undefined> {
  const bytes = statSync(file).size;
  // The compressor loads here, when a hook has an output to compress: every agent adapter imports
  // this module, and `headroom --help` or `wrap` should not load the compressor for it.
  const [{ compressOutput }, { DEFAULT_MIN_TOKENS }] = await Promise.all([import('./exec.js'), import('./source-compress.js')]);
  const r = await compressOutput({ bytes, file }, { query: opts.query, minTokens: DEFAULT_MIN_TOKENS, env: opts.env, keepFile: true, maxChars: opts.maxChars });
  if (!r.key || typeof r.printed !== 'string') return undefined;
  recordSourceSaving(opts.env, { by: opts.by, tokensBefore: r.tokensBefore, tokensAfter: r.tokensAfter, key: r.key });
  return r.printed;
}

const TAIL_BYTES = 512 * 1024;

/**
 * The user's latest prompt in an agent's transcript (read from its last 512 KB, lines read by the
 * agent's own `userTexts`), or '' when there is none or the file cannot be read.
 */
export function latestUserText(transcript: string, userTexts: (line: string) => { texts: readonly string[] }): string {
  let fd: number | undefined;
  try {
    const size = statSync(transcript).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    fd = openSync(transcript, 'r');
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    // The first line of a tail read may be cut short: skipped.
    for (let i = lines.length - 1; i >= (start > 0 ? 1 : 0); i--) {
      const texts = userTexts(lines[i]!).texts;
      if (texts.length > 0) return texts.join('\n');
    }
    return '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Runs a hook on the text its agent sent and returns the line to print, or undefined to print
 * nothing. Never fails the agent's tool call: input that is not JSON, or a hook that throws,
 * means "leave the call as the agent made it".
 */
export async function runSourceHook(hook: SourceHook, inputText: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch {
    return undefined;
  }
  try {
    const answer = await hook(input, env);
    return answer === undefined ? undefined : `${JSON.stringify(answer)}\n`;
  } catch {
    return undefined;
  }
}
