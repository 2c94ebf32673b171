import { statSync } from 'node:fs';
import { CLAUDE_BASH_MAX_CHARS, cutBashOutput, latestClaudePrompt, replacedOutput } from '../agents/claude-hook.js';
import { compressOutput } from '../exec/exec.js';
import { DEFAULT_MIN_TOKENS } from '../exec/source-compress.js';
import { recordSourceSaving } from '../exec/source-log.js';
import { CliError } from './exit-codes.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `headroom hook claude-post-tool-use`: run by Claude Code (installed per session by `wrap`).
 * Prints the hook's JSON answer, or nothing to leave the output as Claude Code made it. Never
 * fails the agent's tool call: any problem means "leave it alone".
 */
export async function hookCommand(event: string): Promise<void> {
  if (event !== 'claude-post-tool-use') throw new CliError(`unknown hook "${event}": headroom installs claude-post-tool-use only`);
  let input: unknown;
  try {
    input = JSON.parse(await readStdin());
  } catch {
    return;
  }
  const call = cutBashOutput(input);
  if (!call) return;
  try {
    const bytes = statSync(call.fullOutputFile).size;
    const query = process.env.HEADROOM_QUERY || (call.transcript ? latestClaudePrompt(call.transcript) : '');
    const r = await compressOutput({ bytes, file: call.fullOutputFile }, { query, minTokens: DEFAULT_MIN_TOKENS, env: process.env, keepFile: true, maxChars: CLAUDE_BASH_MAX_CHARS });
    if (!r.key || typeof r.printed !== 'string') return;
    process.stdout.write(`${JSON.stringify(replacedOutput(call, r.printed))}\n`);
    recordSourceSaving(process.env, { by: 'claude-hook', tokensBefore: r.tokensBefore, tokensAfter: r.tokensAfter, key: r.key });
  } catch {
    // The output file went away or could not be read: Claude Code's own preview stands.
  }
}
