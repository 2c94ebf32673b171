import { basename } from 'node:path';
import { detached, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { readJsonDocument } from './json-document.js';
import { boundedInput, joinTexts, plain } from './jsonl-records.js';
import { isObject, lastSegments, str, textParts, transcriptLine, type Json } from './transcript.js';

/**
 * Continue's CLI (`cn`) sessions: ~/.continue/sessions/<session id>.json, one JSON document
 * rewritten whole on every turn (`sessions.json` beside them is its index):
 * `{sessionId, title, workspaceDirectory, history: [{message, contextItems, toolCallStates?}]}`.
 * A message is in Chat Completions' shape (`role`, `content`, `toolCalls`); each tool call's
 * outcome is a toolCallState: `status` done, errored or canceled, `parsedArgs`, and `output`
 * items whose `content` is what the model saw ("Error executing tool Bash: Error (exit code
 * 1): ..." for a failed command).
 */
export function continueTranscriptFile(path: string): boolean {
  const [sessions, file] = lastSegments(path, 2);
  return sessions === 'sessions' && /^[0-9a-f-]{36}\.json$/i.test(file ?? '');
}

/**
 * The session as headroom's event stream: the user's messages, the tool calls of assistant
 * messages with their outcomes, in history order. The document is parsed whole, within
 * json-document.ts's size cap (a bigger file is skipped and counted).
 */
export async function* readContinueEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const doc = await readJsonDocument(file, counts);
  if (!doc) return;
  const root = isObject(doc.value) ? doc.value : {};
  const history: unknown[] = Array.isArray(root.history) ? root.history : [];
  if (!Array.isArray(root.history)) {
    counts.malformed++;
    return;
  }
  const session = str(root.sessionId) ?? basename(file, '.json');
  const cwd = str(root.workspaceDirectory);
  for (const item of history) {
    const message = isObject(item) && isObject(item.message) ? item.message : undefined;
    if (!message) {
      counts.malformed++;
      continue;
    }
    const at = (needle: string): EventBase => {
      const base: EventBase = { agent: 'continue', session, file, line: doc.lineOf(needle) };
      if (cwd) base.cwd = cwd;
      return base;
    };
    switch (message.role) {
      case 'user':
        for (const text of userTextsOf(message)) yield { ...at(JSON.stringify(text).slice(0, -1)), kind: 'user', text };
        break;
      case 'assistant':
        yield* toolEvents(message, isObject(item) && Array.isArray(item.toolCallStates) ? item.toolCallStates.filter(isObject) : [], at);
        break;
      case 'system':
      case 'tool':
        break;
      default:
        counts.unknown++;
    }
  }
}

/** A user message's texts (its `content`: a string, or parts of which the text ones count). */
function userTextsOf(message: Json): string[] {
  return transcriptLine(textParts(message.content, 'text')).texts;
}

function* toolEvents(message: Json, states: Json[], at: (needle: string) => EventBase): Generator<SessionEvent> {
  const calls = Array.isArray(message.toolCalls) ? message.toolCalls.filter(isObject) : [];
  for (const call of calls) {
    const id = str(call.id) ?? '';
    const fn = isObject(call.function) ? call.function : {};
    const tool = str(fn.name) ?? '';
    const state = states.find((s) => s.toolCallId === id);
    const input = isObject(state?.parsedArgs) ? state.parsedArgs : parsedArguments(fn.arguments);
    const event: SessionEvent = { ...at(JSON.stringify(id)), kind: 'call', id, tool, input: boundedInput(input) };
    const command = isObject(input) ? plain(input.command) : undefined;
    if (command) event.command = command;
    yield event;
    if (state) yield* outcome(state, id, tool, at);
  }
}

function* outcome(state: Json, id: string, tool: string, at: (needle: string) => EventBase): Generator<SessionEvent> {
  const items = Array.isArray(state.output) ? state.output.filter(isObject).map((o) => o.content) : [];
  const { text, chars } = joinTexts(items);
  const base = at('"output"');
  // Its answer to a refused call: the user said no at the permission prompt.
  if (state.status === 'canceled' && text === 'Permission denied by user') {
    yield { ...base, kind: 'rejection', id };
    return;
  }
  if (state.status !== 'done' && state.status !== 'errored' && state.status !== 'canceled') return;
  const exit = /^Error executing tool [^:]*: Error \(exit code (\d+)\)/.exec(text);
  const event: SessionEvent = { ...base, kind: 'result', id, tool, output: detached(text), outputChars: chars, isError: state.status !== 'done' };
  if (exit) event.exitCode = Number(exit[1]);
  yield event;
}

function parsedArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}
