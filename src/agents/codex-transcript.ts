import { isObject, lastSegments, parseLine, str, textParts, transcriptLine } from './transcript.js';
import type { TranscriptLine } from './types.js';

/** Codex CLI's rollouts: `sessions/YYYY/MM/DD/rollout-*.jsonl`. */
export function codexTranscriptFile(path: string): boolean {
  const [sessions, year, month, day, file] = lastSegments(path, 5);
  return (
    sessions === 'sessions' &&
    /^\d{4}$/.test(year ?? '') &&
    /^\d{2}$/.test(month ?? '') &&
    /^\d{2}$/.test(day ?? '') &&
    /^rollout-.*\.jsonl$/.test(file ?? '')
  );
}

/** Context Codex sends in the user role: AGENTS.md, the environment, its own notices. */
const INJECTED = /^(# AGENTS\.md instructions|<environment_context>|<user_instructions>|<INSTRUCTIONS>|<turn_aborted>|<user_shell_command>)/;

/**
 * The user's prompts in one rollout line. Codex writes each prompt twice: as a `response_item`
 * message (role user, next to the AGENTS.md and environment context it also sends as user) and
 * as an event: `event_msg` `user_message` (older versions) or `item_completed` with a
 * `UserMessage` item (0.169). Only the events are read, so injected context never counts.
 * The first `session_meta` names the thread; `session_meta` and `turn_context` carry the cwd.
 */
export function codexUserTexts(line: string): TranscriptLine {
  const row = parseLine(line);
  const payload = row?.payload;
  if (!row || !isObject(payload)) return transcriptLine([]);
  if (row.type === 'session_meta') return transcriptLine([], { session: str(payload.id), cwd: str(payload.cwd) });
  if (row.type === 'turn_context') return transcriptLine([], { cwd: str(payload.cwd) });
  if (row.type !== 'event_msg') return transcriptLine([]);
  if (payload.type === 'user_message') return typed(textParts(payload.message));
  const item = payload.item;
  if (payload.type === 'item_completed' && isObject(item) && item.type === 'UserMessage') {
    return typed(textParts(item.content, 'text'), str(item.id));
  }
  return transcriptLine([]);
}

function typed(texts: string[], record?: string): TranscriptLine {
  return transcriptLine(
    texts.filter((t) => !INJECTED.test(t.trim())),
    { record },
  );
}
