import { basename, dirname } from 'node:path';
import { copilotUserTexts } from './copilot-transcript.js';
import { detached, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { boundedInput, jsonlRecords, plain, textOf } from './jsonl-records.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * Copilot CLI's `events.jsonl` as headroom's event stream. Each line is `{type, data, id,
 * timestamp, parentId}`, in the order things happened. Calls come from `assistant.message`
 * tool requests, results from `tool.execution_complete`, whose `success` only says the tool
 * ran: a shell's exit code is in `shellExecution.exitCode` or at the end of its output
 * (`<exited with exit code N>`, `<shellId: N completed with exit code N>`). Read as a stream:
 * a giant output line is never held whole.
 */
export async function* readCopilotEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const state: SessionState = {
    // A session lives in session-state/<id>/events.jsonl; session.start names it too.
    session: basename(file) === 'events.jsonl' ? basename(dirname(file)) : basename(file),
    tools: new Map(),
    called: new Set(),
  };
  for await (const { line, row: event } of jsonlRecords(file, counts)) {
    if (!event || typeof event.type !== 'string' || !isObject(event.data)) {
      counts.malformed++;
      continue;
    }
    const base: EventBase = { agent: 'copilot', session: state.session, file, line };
    const time = str(event.timestamp);
    if (time) base.time = time;
    if (state.cwd) base.cwd = state.cwd;
    // Sub-agent events carry the agent's id (older versions: the parent tool call's).
    if (str(event.agentId) || str(event.data.parentToolCallId)) base.subagent = true;
    const known = yield* eventsOf(event, event.type, event.data, base, state);
    if (!known) counts.unknown++;
  }
}

interface SessionState {
  session: string;
  cwd?: string;
  /** Tool names by call id, until the call's result is read. */
  tools: Map<string, string>;
  /** Call ids already emitted (a call is announced by the model and again when it starts). */
  called: Set<string>;
}

/** The event families Copilot CLI writes; a type outside them comes from a newer version. */
const FAMILIES = new Set([
  'session', 'user', 'assistant', 'tool', 'system', 'subagent', 'hook', 'permission', 'skill', 'mcp', 'mcp_app',
  'abort', 'command', 'commands', 'elicitation', 'exit_plan_mode', 'external_tool', 'human_response', 'model',
  'pending_messages', 'sampling', 'user_input', 'workflow', 'tool_search', 'auto_mode_switch', 'capabilities',
  'session_limits_exhausted', 'shell_completed', 'shell_detached_completed', 'shell_exit', 'agent_completed',
  'agent_idle', 'new_inbox_message', 'workflow_completed', 'ui',
]);

/** The events one record stands for; returns whether the record's type is known. */
function* eventsOf(event: Json, type: string, data: Json, base: EventBase, state: SessionState): Generator<SessionEvent, boolean> {
  switch (type) {
    case 'session.start':
    case 'session.resume': {
      const session = str(data.sessionId);
      if (session) state.session = base.session = session;
      const cwd = isObject(data.context) ? str(data.context.cwd) : undefined;
      if (cwd) state.cwd = base.cwd = cwd;
      return true;
    }
    case 'user.message': {
      // A prompt is small; a cut string of a giant line serialises as its kept text.
      for (const t of copilotUserTexts(JSON.stringify(event)).texts) yield { ...base, kind: 'user', text: t };
      return true;
    }
    case 'assistant.message': {
      const requests = Array.isArray(data.toolRequests) ? data.toolRequests : [];
      for (const r of requests) {
        if (isObject(r)) yield* callOf(str(r.toolCallId), str(r.name), r.arguments, base, state);
      }
      return true;
    }
    case 'tool.execution_start':
      yield* callOf(str(data.toolCallId), str(data.toolName), data.arguments, base, state);
      return true;
    case 'tool.execution_complete':
      yield resultOf(data, base, state);
      return true;
    case 'abort':
      yield { ...base, kind: 'interrupt' };
      return true;
    case 'permission.completed': {
      const result = isObject(data.result) ? data.result : {};
      if (result.kind === 'denied-interactively-by-user') {
        const rejection: SessionEvent = { ...base, kind: 'rejection' };
        const id = str(data.toolCallId);
        const feedback = plain(result.feedback)?.trim();
        if (id) rejection.id = id;
        if (feedback) rejection.feedback = feedback;
        yield rejection;
      }
      return true;
    }
    case 'session.snapshot_rewind': {
      const to = str(data.upToEventId);
      yield to ? { ...base, kind: 'rewind', to } : { ...base, kind: 'rewind' };
      return true;
    }
    default:
      return FAMILIES.has(type.split('.', 1)[0] ?? '');
  }
}

function* callOf(id: string | undefined, tool: string | undefined, args: unknown, base: EventBase, state: SessionState): Generator<SessionEvent> {
  if (!id || !tool || state.called.has(id)) return;
  state.called.add(id);
  state.tools.set(id, tool);
  const call: SessionEvent = { ...base, kind: 'call', id, tool, input: boundedInput(args) };
  const command = isObject(args) ? plain(args.command) : undefined;
  if (command) call.command = command;
  yield call;
}

/** `<exited with exit code N>` (older versions) or `<shellId: N completed with exit code N>` at the end of a shell output. */
const EXIT_MARK = /<(?:exited|shellId: *\S+ completed) with exit code (-?\d+)>\s*$/;

function resultOf(data: Json, base: EventBase, state: SessionState): SessionEvent {
  const id = str(data.toolCallId) ?? '';
  const tool = state.tools.get(id);
  state.tools.delete(id);
  state.called.delete(id);
  const result = isObject(data.result) ? data.result : {};
  const error = isObject(data.error) ? data.error : {};
  // The kept text of a long output (cut while reading or here) ends with the output's real end.
  const { text, chars } = textOf(result.content) ?? textOf(error.message) ?? { text: '', chars: 0 };
  const shell = isObject(data.shellExecution) ? data.shellExecution : {};
  let exitCode = typeof shell.exitCode === 'number' ? shell.exitCode : undefined;
  if (exitCode === undefined) {
    // On a copy: a RegExp remembers its last input, which would keep the text alive.
    const mark = EXIT_MARK.exec(detached(text.slice(-200)));
    if (mark) exitCode = Number(mark[1]);
  }
  const event: SessionEvent = {
    ...base,
    kind: 'result',
    id,
    output: detached(text),
    outputChars: chars,
    isError: data.success === false || (exitCode !== undefined && exitCode !== 0),
  };
  if (tool) event.tool = tool;
  if (exitCode !== undefined) event.exitCode = exitCode;
  return event;
}
