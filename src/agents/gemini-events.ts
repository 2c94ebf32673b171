import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { detached, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { geminiUserTexts } from './gemini-transcript.js';
import { boundedInput, joinTexts, jsonlRecords, plain, textOf } from './jsonl-records.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * Gemini CLI's chat file (`tmp/<project>/chats/session-*.jsonl`) as headroom's event stream.
 * Lines are a metadata record (`sessionId`, `projectHash`), message records (`id`, `type`:
 * user, gemini, info, warning, error), `{"$set": ...}` patches and `{"$rewindTo": id}`.
 * A message is written again under the same id as it grows (last write wins): a gemini
 * message gets its `toolCalls` once they completed, so calls and results are emitted the
 * first time each tool call id shows up. `$set.messages` replays the history on resume (in
 * this file or a new one the resumed session goes on in): nothing new, skipped. Read as a
 * stream: a giant output line is never held whole.
 */
export async function* readGeminiEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  // A subagent's chat is chats/<parent session>/<its session>.jsonl: its events belong to the parent.
  const parent = basename(dirname(dirname(file))) === 'chats' ? basename(dirname(file)) : undefined;
  const state: SessionState = {
    session: parent ?? basename(file).replace(/\.jsonl$/, ''),
    parent,
    cwd: projectRoot(file, parent !== undefined),
    users: new Set(),
    calls: new Set(),
    results: new Set(),
  };
  for await (const { line, row } of jsonlRecords(file, counts)) {
    if (!row) {
      counts.malformed++;
      continue;
    }
    const base: EventBase = { agent: 'gemini', session: state.session, file, line };
    const time = str(row.timestamp);
    if (time) base.time = time;
    if (state.cwd) base.cwd = state.cwd;
    if (state.subagent) base.subagent = true;
    const known = yield* eventsOf(row, base, state);
    if (!known) counts.unknown++;
  }
}

interface SessionState {
  session: string;
  /** The parent session, for a subagent's chat. */
  parent?: string;
  cwd?: string;
  subagent?: boolean;
  /** Ids already emitted: user messages, tool calls, tool results (records are written again). */
  users: Set<string>;
  calls: Set<string>;
  results: Set<string>;
}

/** The project folder's `.project_root` (beside `chats/`) names the directory the sessions ran in. */
function projectRoot(file: string, subagent: boolean): string | undefined {
  const chats = subagent ? dirname(dirname(file)) : dirname(file);
  try {
    return readFileSync(join(dirname(chats), '.project_root'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Message types Gemini CLI records besides user and gemini: notices shown in the UI. */
const NOTICES = new Set(['info', 'warning', 'error']);

function* eventsOf(row: Json, base: EventBase, state: SessionState): Generator<SessionEvent, boolean> {
  if (isObject(row.$set)) {
    const session = str(row.$set.sessionId);
    if (session && !state.parent) state.session = session;
    if (!state.cwd && Array.isArray(row.$set.messages)) state.cwd = workspaceOf(row.$set.messages);
    return true;
  }
  if (typeof row.$rewindTo === 'string') {
    yield { ...base, kind: 'rewind', to: row.$rewindTo };
    return true;
  }
  if (typeof row.sessionId === 'string' && typeof row.projectHash === 'string') {
    // A subagent's chat says so in its metadata (the main one has kind "main").
    state.subagent = state.parent !== undefined || (typeof row.kind === 'string' && row.kind !== 'main');
    if (!state.parent) state.session = base.session = row.sessionId;
    const dirs = Array.isArray(row.directories) ? row.directories : [];
    if (!state.cwd && typeof dirs[0] === 'string') state.cwd = dirs[0];
    return true;
  }
  const id = str(row.id);
  if (!id) return false;
  if (row.type === 'user') {
    if (state.users.has(id)) return true;
    // A prompt is small; a cut string of a giant line serialises as its kept text.
    const texts = geminiUserTexts(JSON.stringify(row)).texts;
    if (texts.length > 0) state.users.add(id);
    for (const t of texts) yield { ...base, kind: 'user', text: t };
    return true;
  }
  if (row.type === 'gemini') {
    const calls = Array.isArray(row.toolCalls) ? row.toolCalls : [];
    for (const call of calls) if (isObject(call)) yield* toolEvents(call, base, state);
    return true;
  }
  if (NOTICES.has(String(row.type))) {
    // Pressing Esc mid-turn leaves this notice.
    if (row.type === 'info' && plain(row.content)?.trim() === 'Request cancelled.') yield { ...base, kind: 'interrupt' };
    return true;
  }
  return false;
}

/** Tool call statuses that mean the call is over and `result` holds what the model got back. */
const DONE = new Set(['success', 'error', 'cancelled']);

function* toolEvents(call: Json, base: EventBase, state: SessionState): Generator<SessionEvent> {
  const id = str(call.id);
  const tool = str(call.name);
  if (!id || !tool) return;
  const at: EventBase = { ...base };
  const time = str(call.timestamp);
  if (time) at.time = time;
  if (!state.calls.has(id)) {
    state.calls.add(id);
    const event: SessionEvent = { ...base, kind: 'call', id, tool, input: boundedInput(call.args) };
    const command = isObject(call.args) ? plain(call.args.command) : undefined;
    if (command) event.command = command;
    yield event;
  }
  const status = String(call.status);
  if (!DONE.has(status) || state.results.has(id)) return;
  state.results.add(id);
  // The kept text of a long output (cut while reading or here) starts and ends as the output does.
  const { text, chars } = responseText(call.result) ?? textOf(call.resultDisplay) ?? { text: '', chars: 0 };
  // Patterns run on copies of the ends: a RegExp remembers its last input, which would keep the text alive.
  const head = detached(text.slice(0, 500));
  const end = detached(text.slice(-2000));
  const exitCode = exitCodeOf(tool, status, head, end);
  const result: SessionEvent = {
    ...at,
    kind: 'result',
    id,
    tool,
    output: detached(text),
    outputChars: chars,
    isError: status !== 'success' || (exitCode !== undefined && exitCode !== 0) || /\nSignal: \S+/.test(end),
  };
  if (exitCode !== undefined) result.exitCode = exitCode;
  yield result;
  if (status !== 'cancelled') return;
  // A denied call and a command stopped while it ran both end up cancelled.
  if (/User denied execution|User rejected this operation/.test(head)) yield { ...at, kind: 'rejection', id };
  else if (/cancelled by user/i.test(head)) yield { ...at, kind: 'interrupt' };
}

/** The output or error the tool's functionResponse parts carry, joined: the kept text and the whole's length. */
function responseText(result: unknown): { text: string; chars: number } | undefined {
  if (!Array.isArray(result)) return undefined;
  const parts: unknown[] = [];
  for (const part of result) {
    const response = isObject(part) && isObject(part.functionResponse) ? part.functionResponse.response : undefined;
    if (!isObject(response)) continue;
    const text = [response.output, response.error].find((v) => plain(v) !== undefined);
    if (text !== undefined) parts.push(text);
  }
  return parts.length > 0 ? joinTexts(parts) : undefined;
}

const SHELL_TOOLS = new Set(['run_shell_command']);
/** The shell tool's `Exit Code: N` line (written only when N is not 0), or `[Exit Code: N]` appended by the scheduler. */
const EXIT_CODE = /^\[?Exit Code: (-?\d+)\]?\s*$/gm;

/** The exit code a result shows; a shell command that ran and shows none exited with 0. */
function exitCodeOf(tool: string, status: string, head: string, end: string): number | undefined {
  let code: number | undefined;
  for (const m of end.matchAll(EXIT_CODE)) code = Number(m[1]);
  if (code !== undefined) return code;
  return status === 'success' && SHELL_TOOLS.has(tool) && /\bOutput: /.test(head) ? 0 : undefined;
}

/** The first workspace directory named in the session context Gemini CLI sends first. */
function workspaceOf(messages: unknown[]): string | undefined {
  for (const message of messages.slice(0, 2)) {
    if (!isObject(message) || !Array.isArray(message.content)) continue;
    for (const part of message.content) {
      const text = (isObject(part) ? plain(part.text) : undefined) ?? '';
      const m = /Workspace Directories:\*\*\n\s*- (.+)/.exec(text);
      if (m) return m[1]?.trim();
    }
  }
  return undefined;
}
