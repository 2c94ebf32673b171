import { basename } from 'node:path';
import { transcriptLine } from './transcript.js';
import type { TranscriptLine } from './types.js';

/** Aider's chat history, a markdown file in the project (`.aider.chat.history.md` by default). */
export function aiderTranscriptFile(path: string): boolean {
  return basename(path) === '.aider.chat.history.md';
}

const STARTED = /^# aider chat started at (.+?)\s*$/;
/** Chat commands whose argument is a message to the model. */
const MESSAGE_COMMAND = /^\/(ask|code|architect|context)\s+(.*)$/s;

/**
 * The user's input in one line of the history: `#### ` lines (a multi-line input is one
 * `#### ` line per line). Chat commands (`/add`, `/run`, ...) are not prompts, except the ones
 * that send a message (`/ask X`). Aider names no session: each run starts with
 * `# aider chat started at <time>`, which stands in for one.
 */
export function aiderUserTexts(line: string): TranscriptLine {
  const started = STARTED.exec(line);
  if (started) return transcriptLine([], { session: started[1] });
  if (!line.startsWith('#### ')) return transcriptLine([]);
  const text = line.slice(5).trimEnd();
  if (text === '<blank>') return transcriptLine([]);
  if (text.startsWith('/')) return transcriptLine([MESSAGE_COMMAND.exec(text)?.[2] ?? '']);
  return transcriptLine([text]);
}
