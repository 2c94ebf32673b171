import { basename, join } from 'node:path';
import { compressSavedOutput, latestUserText, leaveAlone } from '../exec/source-hook.js';
import { sessionQuery } from '../exec/source-log.js';
import { copilotUserTexts } from './copilot-transcript.js';
import { copilotHome } from './copilot-plugin.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * GitHub Copilot CLI's per-session source compression. `wrap` passes Copilot a plugin folder for
 * this run only (`--plugin-dir`) whose postToolUse hook runs `headroom hook copilot-post-tool-use`.
 * When a bash output is too big, Copilot saves it to a file and shows the model a 500-character
 * preview naming that file; the hook reads the whole output there and answers with the compressed
 * text (`modifiedResult`), which replaces what the model sees. The command itself ran in Copilot's
 * own shell, under the user's own permission rules, unchanged.
 */

/**
 * Copilot cuts a bash result longer than 20,480 characters (20 KB) to a preview. It does not cut
 * a hook's answer again, but headroom keeps the answer within the same budget: one command's output
 * never takes more of the context than Copilot itself would give it.
 */
export const COPILOT_BASH_MAX_CHARS = 20_000;

export interface CopilotBashCut {
  command: string;
  /** The file holding the whole output, which Copilot saved when it cut it for the model. */
  fullOutputFile: string;
  /** Copilot's last line on the call, e.g. `<shellId: 0 completed with exit code 1>`, kept in the answer. */
  status?: string;
  resultType: string;
  session?: string;
}

// "Output too large to read at once (283.5 KB). Saved to: /tmp/1795...-copilot-tool-output-...txt"
const CUT_RE = /^Output too large to read at once \([^)\n]*\)\. Saved to: ([^\n]+)\n/;
const STATUS_RE = /\n(<[^<>\n]*exit code[^<>\n]*>)\s*$/;

/** The bash call in a postToolUse hook input whose output Copilot cut, or undefined for anything else. */
export function cutCopilotBashOutput(input: unknown): CopilotBashCut | undefined {
  if (!isObject(input) || input.toolName !== 'bash') return undefined;
  const args = isObject(input.toolArgs) ? input.toolArgs : {};
  const result = isObject(input.toolResult) ? input.toolResult : {};
  const command = str(args.command) ?? '';
  const text = str(result.textResultForLlm) ?? '';
  const file = CUT_RE.exec(text)?.[1]?.trim();
  // Only a file Copilot itself wrote: a command's own output may quote that sentence.
  if (!file || !basename(file).includes('copilot-tool-output-') || leaveAlone(command)) return undefined;
  const status = STATUS_RE.exec(text)?.[1];
  return {
    command,
    fullOutputFile: file,
    resultType: str(result.resultType) ?? 'success',
    ...(status ? { status } : {}),
    ...(str(input.sessionId) ? { session: str(input.sessionId)! } : {}),
  };
}

/** The hook's answer: `text` (and Copilot's status line) as what the model gets from the call. */
export function copilotAnswer(call: CopilotBashCut, text: string): Json {
  const body = call.status ? `${text.replace(/\n*$/, '')}\n${call.status}` : text;
  return { modifiedResult: { resultType: call.resultType, textResultForLlm: body } };
}

/**
 * `headroom hook copilot-post-tool-use`: the compressed whole output as the bash call's result, or
 * undefined to leave Copilot's own preview (output not cut, headroom's own command, file gone).
 */
export async function copilotPostToolUse(input: unknown, env: NodeJS.ProcessEnv): Promise<Json | undefined> {
  const call = cutCopilotBashOutput(input);
  if (!call) return undefined;
  const query = sessionQuery(env) || (call.session ? latestCopilotPrompt(env, call.session) : '');
  const text = await compressSavedOutput(call.fullOutputFile, { query, env, maxChars: COPILOT_BASH_MAX_CHARS, by: 'copilot-hook' });
  return text === undefined ? undefined : copilotAnswer(call, text);
}

/** The user's latest prompt in the Copilot session's own event log, or ''. */
export function latestCopilotPrompt(env: NodeJS.ProcessEnv, session: string): string {
  if (!/^[\w.-]+$/.test(session) || session.startsWith('.')) return '';
  return latestUserText(join(copilotHome(env), 'session-state', session, 'events.jsonl'), copilotUserTexts);
}
