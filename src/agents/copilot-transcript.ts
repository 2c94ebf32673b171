import { isObject, lastSegments, parseLine, str, transcriptLine } from './transcript.js';
import type { TranscriptLine } from './types.js';

/** GitHub Copilot CLI's event logs: `session-state/<session>/events.jsonl`. */
export function copilotTranscriptFile(path: string): boolean {
  const [state, session, file] = lastSegments(path, 3);
  return state === 'session-state' && session !== undefined && !session.startsWith('.') && file === 'events.jsonl';
}

/**
 * The user's prompts in one event: `user.message` events, their `content` being the text as
 * the user typed it (`transformedContent` is what went to the model, with Copilot's wrapping).
 * A message with a `source` was injected (a skill, another agent) and autopilot continuations
 * were not typed by anyone. `session.start` names the session and its cwd.
 */
export function copilotUserTexts(line: string): TranscriptLine {
  const event = parseLine(line);
  const data = event?.data;
  if (!event || !isObject(data)) return transcriptLine([]);
  if (event.type === 'session.start' || event.type === 'session.resume') {
    const context = isObject(data.context) ? data.context : {};
    return transcriptLine([], { session: str(data.sessionId), cwd: str(context.cwd) });
  }
  if (event.type !== 'user.message' || typeof data.content !== 'string') return transcriptLine([]);
  if ((data.source !== undefined && data.source !== 'user') || data.isAutopilotContinuation === true) return transcriptLine([]);
  return transcriptLine([data.content], { record: str(event.id) });
}
