import { compressSavedOutput, latestUserText, leaveAlone } from '../exec/source-hook.js';
import { claudeUserTexts } from './claude-transcript.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * Claude Code's per-session source compression. `wrap` passes a session-only settings file
 * (`--settings`) holding a PostToolUse hook for Bash. Claude Code keeps a big Bash output on
 * disk (`persistedOutputPath`) and would show the model a 2 KB preview of it; the hook reads the
 * whole output there and hands back the compressed text as the tool's output
 * (`updatedToolOutput`). The command itself ran in Claude Code's own shell, under the user's own
 * permission rules, unchanged: a PostToolUse hook rewrites nothing that the user approved.
 */

/**
 * Claude Code cuts a Bash output longer than this (30,000 characters) to a preview again, so the
 * hook's answer must stay under it.
 */
const CLAUDE_BASH_MAX_CHARS = 28_000;

// Shared with the other agents' hooks; still importable from here.
export { leaveAlone };

export interface BashHookInput {
  command: string;
  /** The file holding the whole output, when Claude Code cut it for the model. */
  fullOutputFile: string;
  transcript?: string;
  response: Json;
}

/** The Bash call in a PostToolUse hook input whose output Claude Code cut, or undefined for anything else. */
export function cutBashOutput(input: unknown): BashHookInput | undefined {
  if (!isObject(input) || input.hook_event_name !== 'PostToolUse' || input.tool_name !== 'Bash') return undefined;
  const toolInput = isObject(input.tool_input) ? input.tool_input : {};
  const response = isObject(input.tool_response) ? input.tool_response : undefined;
  const command = str(toolInput.command) ?? '';
  const fullOutputFile = response ? str(response.persistedOutputPath) : undefined;
  if (!response || !fullOutputFile || leaveAlone(command)) return undefined;
  return { command, fullOutputFile, response, ...(str(input.transcript_path) ? { transcript: str(input.transcript_path)! } : {}) };
}

/** The hook's answer: the tool's output with `text` as its stdout and the cut-output fields gone. */
export function replacedOutput(call: BashHookInput, text: string): Json {
  const { persistedOutputPath: _path, persistedOutputSize: _size, ...rest } = call.response;
  return { hookSpecificOutput: { hookEventName: 'PostToolUse', updatedToolOutput: { ...rest, stdout: text } } };
}

/**
 * `headroom hook claude-post-tool-use`: the compressed whole output as the Bash tool's output, or
 * undefined to leave Claude Code's own preview (small output, headroom's own command, file gone).
 */
export async function claudePostToolUse(input: unknown, env: NodeJS.ProcessEnv): Promise<Json | undefined> {
  const call = cutBashOutput(input);
  if (!call) return undefined;
  const query = env.HEADROOM_QUERY || (call.transcript ? latestClaudePrompt(call.transcript) : '');
  const text = await compressSavedOutput(call.fullOutputFile, { query, env, maxChars: CLAUDE_BASH_MAX_CHARS, by: 'claude-hook' });
  return text === undefined ? undefined : replacedOutput(call, text);
}

/** The user's latest prompt in a Claude Code transcript (read from its last 512 KB), or ''. */
export function latestClaudePrompt(transcript: string): string {
  return latestUserText(transcript, claudeUserTexts);
}
