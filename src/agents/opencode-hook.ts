import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { compressSavedOutput, leaveAlone } from '../exec/source-hook.js';
import { sessionQuery } from '../exec/source-log.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * opencode's per-session source compression. `wrap` adds a plugin of its own to opencode's inline
 * config for this run (opencode-plugin.ts); its `tool.execute.after` hook hands each bash call
 * that opencode cut to `headroom hook opencode-tool-execute-after`. opencode keeps the last 50 KB
 * (or 2,000 lines) of a bigger output for the model and saves the whole output to a file
 * (`metadata.outputPath`); the hook reads the whole output there and answers with the compressed
 * text, which the plugin puts in place of the tool's output before the model sees it. The command
 * itself ran in opencode's own shell, under the user's own permission rules, unchanged.
 */

/**
 * opencode cuts a bash output longer than 51,200 bytes or 2,000 lines to its tail; it does not
 * cut the plugin's answer again, but headroom keeps the answer within the same budget.
 */
export const OPENCODE_BASH_MAX_CHARS = 48_000;

/** What the plugin sends for one bash call (see opencodePluginSource). */
export interface OpencodeBashCut {
  command: string;
  /** The file opencode saved the whole output to when it cut it. */
  fullOutputFile: string;
  /** opencode's notes after the output (a timeout, an abort), kept in the answer. */
  notes?: string;
  /** The user's latest prompt in the session, as the plugin saw it. */
  prompt: string;
}

const NOTES_RE = /\n*(<shell_metadata>\n[\s\S]*\n<\/shell_metadata>)\s*$/;

/** The bash call in the plugin's input whose output opencode cut, or undefined for anything else. */
export function cutOpencodeBashOutput(input: unknown): OpencodeBashCut | undefined {
  if (!isObject(input) || input.tool !== 'bash') return undefined;
  const args = isObject(input.args) ? input.args : {};
  const metadata = isObject(input.metadata) ? input.metadata : {};
  const command = str(args.command) ?? '';
  const file = metadata.truncated === true ? str(metadata.outputPath) : undefined;
  // Only a file in opencode's own folder for cut outputs (…/opencode/tool-output/tool_…).
  if (!file || basename(dirname(file)) !== 'tool-output' || !basename(file).startsWith('tool_') || leaveAlone(command)) return undefined;
  const notes = NOTES_RE.exec(str(input.output) ?? '')?.[1];
  return { command, fullOutputFile: file, prompt: str(input.prompt) ?? '', ...(notes ? { notes } : {}) };
}

/** The hook's answer: `text` (and opencode's notes) as the bash call's output. */
export function opencodeAnswer(call: OpencodeBashCut, text: string): Json {
  return { output: call.notes ? `${text.replace(/\n*$/, '')}\n\n${call.notes}` : text };
}

/**
 * `headroom hook opencode-tool-execute-after`: the compressed whole output as the bash call's
 * output, or undefined to leave opencode's own tail (output not cut, headroom's own command, file gone).
 */
export async function opencodeToolExecuteAfter(input: unknown, env: NodeJS.ProcessEnv): Promise<Json | undefined> {
  const call = cutOpencodeBashOutput(input);
  if (!call) return undefined;
  const query = sessionQuery(env) || call.prompt;
  await untilWritten(call.fullOutputFile);
  const text = await compressSavedOutput(call.fullOutputFile, { query, env, maxChars: OPENCODE_BASH_MAX_CHARS, by: 'opencode-hook' });
  return text === undefined ? undefined : opencodeAnswer(call, text);
}

/** How often, and for how long at most, the hook looks at the saved output's size. */
const SETTLE_POLL_MS = 50;
const SETTLE_QUIET_POLLS = 4;
const SETTLE_MAX_MS = 3_000;

/**
 * Waits until the file opencode saves the whole output to has stopped growing. opencode 1.18
 * runs `tool.execute.after` while it may still be writing that file: a 290 KB log was read at
 * 256 KB in about half the runs, and the compressed output lacked its end (and, the size policy
 * being set by the size, a needle from its middle). Nothing in the call says how big the file
 * will be (opencode's own tail can be cut short too), so the file counts as written once its
 * size has not changed for SETTLE_QUIET_POLLS looks (at most SETTLE_MAX_MS).
 */
export async function untilWritten(file: string, opts: { pollMs?: number; quietPolls?: number; maxMs?: number } = {}): Promise<void> {
  const pollMs = opts.pollMs ?? SETTLE_POLL_MS;
  const quietPolls = opts.quietPolls ?? SETTLE_QUIET_POLLS;
  const deadline = Date.now() + (opts.maxMs ?? SETTLE_MAX_MS);
  let size = -1;
  let quiet = 0;
  while (quiet < quietPolls && Date.now() < deadline) {
    let now: number;
    try {
      now = statSync(file).size;
    } catch {
      return; // gone: the compression says so
    }
    quiet = now === size ? quiet + 1 : 0;
    size = now;
    if (quiet < quietPolls) await sleep(pollMs);
  }
}
