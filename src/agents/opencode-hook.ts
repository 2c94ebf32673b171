import { basename, dirname } from 'node:path';
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
  const text = await compressSavedOutput(call.fullOutputFile, { query, env, maxChars: OPENCODE_BASH_MAX_CHARS, by: 'opencode-hook' });
  return text === undefined ? undefined : opencodeAnswer(call, text);
}
