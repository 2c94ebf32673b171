import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { detached, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { readJsonDocument } from './json-document.js';
import { boundedInput, joinTexts, plain } from './jsonl-records.js';
import { isObject, lastSegments, parseLine, str, transcriptLine, type Json } from './transcript.js';

/**
 * Cline's sessions: <data folder>/sessions/<id>/<id>.messages.json, one JSON document rewritten
 * whole as the conversation grows: `{sessionId, messages: [{id, role, content, ts}], system_prompt}`
 * with Anthropic-style content blocks (text, tool_use, tool_result). Beside it, <id>.json is
 * the session's record (`cwd`, `started_at`, `status`). A prompt the person typed is a text
 * block wrapped in `<user_input mode="...">`; tool results come back in user messages.
 */
export function clineTranscriptFile(path: string): boolean {
  const [folder, file] = lastSegments(path, 2);
  return folder !== undefined && file === `${folder}.messages.json`;
}

/** A session record bigger than this is not read (it holds the first prompt, nothing big). */
const RECORD_BYTES = 1 << 20;

/** A prompt the person typed, as Cline wraps it in a user message. */
const USER_INPUT = /^<user_input(?: [^>]*)?>([\s\S]*)<\/user_input>$/;

/**
 * The session as headroom's event stream: the user's prompts, tool calls and their results, in
 * message order. The document is parsed whole, within json-document.ts's size cap (a bigger file
 * is skipped and counted).
 */
export async function* readClineEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const doc = await readJsonDocument(file, counts);
  if (!doc) return;
  const root = isObject(doc.value) ? doc.value : {};
  const messages: unknown[] = Array.isArray(root.messages) ? root.messages : [];
  if (!Array.isArray(root.messages)) {
    counts.malformed++;
    return;
  }
  const session = str(root.sessionId) ?? basename(file, '.messages.json');
  const cwd = recordCwd(file) ?? promptCwd(root.system_prompt);
  const tools = new Map<string, string>();
  for (const message of messages) {
    if (!isObject(message) || !Array.isArray(message.content)) {
      counts.malformed++;
      continue;
    }
    const time = typeof message.ts === 'number' ? new Date(message.ts).toISOString() : undefined;
    const at = (needle: string): EventBase => {
      const base: EventBase = { agent: 'cline', session, file, line: doc.lineOf(needle) };
      if (time) base.time = time;
      if (cwd) base.cwd = cwd;
      return base;
    };
    if (message.role !== 'user' && message.role !== 'assistant') {
      counts.unknown++;
      continue;
    }
    for (const block of message.content.filter(isObject)) {
      if (block.type === 'text' && message.role === 'user') {
        const text = typeof block.text === 'string' ? USER_INPUT.exec(block.text.trim())?.[1] : undefined;
        for (const t of transcriptLine(text === undefined ? [] : [text]).texts) yield { ...at(JSON.stringify(block.text)), kind: 'user', text: t };
      } else if (block.type === 'tool_use') {
        yield callOf(block, at, tools);
      } else if (block.type === 'tool_result') {
        yield resultOf(block, at, tools);
      }
    }
  }
}

function callOf(block: Json, at: (needle: string) => EventBase, tools: Map<string, string>): SessionEvent {
  const id = str(block.id) ?? '';
  const tool = str(block.name) ?? '';
  tools.set(id, tool);
  const event: SessionEvent = { ...at(JSON.stringify(id)), kind: 'call', id, tool, input: boundedInput(block.input) };
  const command = commandOf(block.input);
  if (command) event.command = command;
  return event;
}

/** run_commands takes a list of commands (each run on its own): one a line. */
function commandOf(input: unknown): string | undefined {
  if (!isObject(input)) return undefined;
  if (Array.isArray(input.commands)) {
    const commands = input.commands.map(plain).filter((c): c is string => c !== undefined);
    return commands.length > 0 ? commands.join('\n') : undefined;
  }
  return plain(input.command);
}

function resultOf(block: Json, at: (needle: string) => EventBase, tools: Map<string, string>): SessionEvent {
  const id = str(block.tool_use_id) ?? '';
  const tool = tools.get(id) ?? str(block.name);
  tools.delete(id);
  // A list of per-command outcomes ({query, result, error, success}), text blocks, or a string.
  const parts = Array.isArray(block.content) ? block.content.filter(isObject) : [];
  const { text, chars } = typeof block.content === 'string' ? joinTexts([block.content]) : joinTexts(parts.map((p) => p.result ?? p.text));
  const failed = block.is_error === true || parts.some((p) => p.success === false);
  const codes = [...text.matchAll(/\[Command exited with code (\d+)\]/g)].map((m) => Number(m[1]));
  const event: SessionEvent = { ...at(`"tool_use_id": ${JSON.stringify(id)}`), kind: 'result', id, output: detached(text), outputChars: chars, isError: failed || codes.some((c) => c !== 0) };
  if (tool) event.tool = tool;
  const exitCode = codes.find((c) => c !== 0) ?? codes[0];
  if (exitCode !== undefined) event.exitCode = exitCode;
  return event;
}

/** The session's working directory, from its record (<id>.json beside the messages; a few KB, read only when small). */
function recordCwd(file: string): string | undefined {
  try {
    const path = join(dirname(file), `${basename(file, '.messages.json')}.json`);
    if (statSync(path).size > RECORD_BYTES) return undefined;
    const record = parseLine(readFileSync(path, 'utf8'));
    return str(record?.cwd);
  } catch {
    return undefined;
  }
}

/** The working directory its system prompt names, when the record is gone. */
function promptCwd(prompt: unknown): string | undefined {
  return typeof prompt === 'string' ? /^\d+\. Working Directory: (.+)$/m.exec(prompt)?.[1]?.trim() : undefined;
}
