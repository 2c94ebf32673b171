import { isObject, lastSegments, parseLine, str, textParts, transcriptLine, type Json } from './transcript.js';
import type { TranscriptLine } from './types.js';

/**
 * Claude Code's transcripts: `<projects>/<project slug>/<session>.jsonl`. Subagents write
 * `<session>/subagents/agent-*.jsonl`, one level deeper, which is not the user's conversation.
 */
export function claudeTranscriptFile(path: string): boolean {
  const [projects, , file] = lastSegments(path, 3);
  return projects === 'projects' && file !== undefined && file.endsWith('.jsonl');
}

/**
 * Text Claude Code itself puts in user rows: slash-command markers and their output, `!` shell
 * mode, hook output, reminders, background-task notices. A text that starts with one of these
 * is not something the user wrote as a prompt.
 */
const HARNESS_START =
  /^<(system-reminder|command-name|command-message|command-args|command-contents|local-command-stdout|local-command-stderr|local-command-caveat|bash-input|bash-stdout|bash-stderr|user-prompt-submit-hook|task-notification|user-memory-input)>/;
/** Reminders older versions appended to the user's own text. */
const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;
const INTERRUPTED = /^\[Request interrupted by user/;

/**
 * The user's prompts in one row: `type: "user"` rows that are not tool results, expanded
 * command bodies (`isMeta`), compaction summaries or subagent rows, and prompts the user
 * queued while Claude was busy (`queued_command` attachments).
 */
export function claudeUserTexts(line: string): TranscriptLine {
  const row = parseLine(line);
  if (!row) return transcriptLine([]);
  const meta = { session: str(row.sessionId), cwd: str(row.cwd), record: str(row.uuid) };
  if (row.isSidechain === true || row.isMeta === true || row.isCompactSummary === true || !typedByPerson(row.origin)) {
    return transcriptLine([], meta);
  }
  return transcriptLine(promptTexts(row).map(withoutHarness).filter((t) => t !== ''), meta);
}

function promptTexts(row: Json): string[] {
  if (row.type === 'user' && row.toolUseResult === undefined && isObject(row.message) && row.message.role === 'user') {
    return textParts(row.message.content, 'text');
  }
  const a = row.attachment;
  if (row.type === 'attachment' && isObject(a) && a.type === 'queued_command' && a.isMeta !== true && typedByPerson(a.origin)) {
    return (a.commandMode ?? 'prompt') === 'prompt' ? textParts(a.prompt, 'text') : [];
  }
  return [];
}

/** Rows without an origin are the person's; others name where they came from (a peer, a task). */
function typedByPerson(origin: unknown): boolean {
  return origin === undefined || (isObject(origin) && origin.kind === 'human');
}

function withoutHarness(text: string): string {
  const t = text.replace(REMINDER, '').trim();
  return HARNESS_START.test(t) || INTERRUPTED.test(t) ? '' : t;
}
