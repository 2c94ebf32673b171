import { isObject, lastSegments, parseLine, str, transcriptLine } from './transcript.js';
import type { TranscriptLine } from './types.js';

/**
 * Gemini CLI's chats: `tmp/<project>/chats/session-*.jsonl` (0.61 appends JSON lines; the
 * older whole-file `session-*.json` is rewritten on every message and is not followed).
 */
export function geminiTranscriptFile(path: string): boolean {
  const [chats, file] = lastSegments(path, 2);
  return chats === 'chats' && /^session-.*\.jsonl$/.test(file ?? '');
}

/** The context Gemini CLI sends as the first user message of a session. */
const INJECTED = /^<session_context>/;

/**
 * The user's prompts in one chat line: message records (`id`, `type`) of type `user` whose
 * parts carry text (tool results come back as user records with `functionResponse` parts).
 * The same id can be written again (the last write wins), hence `record`. `$set` patches
 * (which replay the whole message list on resume) and `$rewindTo` carry nothing new; the
 * metadata line and `$set.sessionId` name the session.
 */
export function geminiUserTexts(line: string): TranscriptLine {
  const row = parseLine(line);
  if (!row) return transcriptLine([]);
  const patch = row.$set;
  if (isObject(patch)) return transcriptLine([], { session: str(patch.sessionId) });
  if (row.$rewindTo !== undefined) return transcriptLine([]);
  if (row.projectHash !== undefined) return transcriptLine([], { session: str(row.sessionId) });
  if (row.type !== 'user' || typeof row.id !== 'string') return transcriptLine([]);
  const texts = partsText(row.content).filter((t) => !INJECTED.test(t.trim()));
  return transcriptLine(texts, { record: row.id });
}

function partsText(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (isObject(part) && typeof part.text === 'string' && part.thought !== true ? [part.text] : []));
}
