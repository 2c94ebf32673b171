import { basename } from 'node:path';
import { detached, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { boundedInput, jsonlRecords, plain, textOf } from './jsonl-records.js';
import { qwenUserTexts } from './qwen-transcript.js';
import { isObject, str, type Json } from './transcript.js';

/**
 * A Qwen Code session transcript (see qwen-transcript.ts) as headroom's event stream: prompts
 * from user records the person typed, calls from the `functionCall` parts of assistant records,
 * results from tool_result records (the output the model saw in `functionResponse`, the exit
 * code in `toolCallResult.resultDisplay`). Read as a stream: a giant output line is never held whole.
 */
export async function* readQwenEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const tools = new Map<string, string>();
  for await (const { line, row } of jsonlRecords(file, counts)) {
    if (!row || typeof row.type !== 'string') {
      counts.malformed++;
      continue;
    }
    const base: EventBase = { agent: 'qwen', session: str(row.sessionId) ?? basename(file, '.jsonl'), file, line };
    const time = str(row.timestamp);
    const cwd = str(row.cwd);
    if (time) base.time = time;
    if (cwd) base.cwd = cwd;
    const parts = isObject(row.message) && Array.isArray(row.message.parts) ? row.message.parts.filter(isObject) : [];
    switch (row.type) {
      case 'user':
        // A prompt is small; a cut string of a giant line serialises as its kept text.
        for (const text of qwenUserTexts(JSON.stringify(row)).texts) yield { ...base, kind: 'user', text };
        break;
      case 'assistant':
        for (const p of parts) if (isObject(p.functionCall)) yield callOf(p.functionCall, base, tools);
        break;
      case 'tool_result':
        for (const p of parts) if (isObject(p.functionResponse)) yield resultOf(p.functionResponse, row, base, tools);
        break;
      case 'system':
        break;
      default:
        counts.unknown++;
    }
  }
}

function callOf(call: Json, base: EventBase, tools: Map<string, string>): SessionEvent {
  const id = str(call.id) ?? '';
  const tool = str(call.name) ?? '';
  tools.set(id, tool);
  const event: SessionEvent = { ...base, kind: 'call', id, tool, input: boundedInput(call.args) };
  const command = isObject(call.args) ? plain(call.args.command) : undefined;
  if (command) event.command = command;
  return event;
}

function resultOf(response: Json, row: Json, base: EventBase, tools: Map<string, string>): SessionEvent {
  const id = str(response.id) ?? '';
  const tool = tools.get(id) ?? str(response.name);
  tools.delete(id);
  const body = isObject(response.response) ? response.response : {};
  const { text, chars } = textOf(body.output) ?? textOf(body.error) ?? { text: '', chars: 0 };
  const result = isObject(row.toolCallResult) ? row.toolCallResult : {};
  const display = isObject(result.resultDisplay) ? result.resultDisplay : {};
  const exitCode = typeof display.exitCode === 'number' ? display.exitCode : undefined;
  const event: SessionEvent = {
    ...base,
    kind: 'result',
    id,
    output: detached(text),
    outputChars: chars,
    isError: result.status === 'error' || body.error !== undefined || (exitCode !== undefined && exitCode !== 0),
  };
  if (tool) event.tool = tool;
  if (exitCode !== undefined) event.exitCode = exitCode;
  return event;
}
