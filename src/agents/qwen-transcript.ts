import { isObject, lastSegments, parseLine, str, transcriptLine } from './transcript.js';
import type { TranscriptLine } from './types.js';

/**
 * Qwen Code's session transcripts: ~/.qwen/projects/<project slug>/chats/<session id>.jsonl, one
 * record a line: `{uuid, sessionId, timestamp, type, cwd, message}`, `type` user, assistant,
 * tool_result or system. The message is in Gemini's shape (`{role, parts}`); a prompt the person
 * typed is a user record with `provenance: "real_user"`.
 */
export function qwenTranscriptFile(path: string): boolean {
  // projects/<slug>/chats/: Gemini CLI keeps its own chats/*.jsonl under tmp/<project>/.
  const [projects, , chats, file] = lastSegments(path, 4);
  return projects === 'projects' && chats === 'chats' && file !== undefined && file.endsWith('.jsonl');
}

export function qwenUserTexts(line: string): TranscriptLine {
  const row = parseLine(line);
  if (!row || row.type !== 'user' || row.provenance !== 'real_user' || !isObject(row.message)) return transcriptLine([]);
  const parts = Array.isArray(row.message.parts) ? row.message.parts : [];
  const texts = parts.flatMap((p) => (isObject(p) && typeof p.text === 'string' ? [p.text] : []));
  return transcriptLine(texts, { session: str(row.sessionId), cwd: str(row.cwd), record: str(row.uuid) });
}
