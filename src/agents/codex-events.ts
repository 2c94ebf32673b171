import { basename } from 'node:path';
import { boundedInput, CutText, joinTexts, jsonlRecords, plain, textOf } from './jsonl-records.js';
import { codexUserTexts } from './codex-transcript.js';
import { keepOutput, type ReadCounts, type SessionEvent } from './events.js';
import { isObject, str, type Json } from './transcript.js';

/** Record types of a Codex rollout; anything else is a newer format, counted as unknown. */
const KNOWN_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted', 'world_state', 'token_usage_record']);

/** exec_command: `Process exited with code N`; the older shell tool: `Exit code: N`. */
const EXIT_CODE = /(?:^|\n)(?:Process exited with code|Exit code:) (-?\d+)/;
/** Codex's shell tools, across versions. */
const SHELL_TOOLS = new Set(['exec_command', 'shell', 'shell_command', 'local_shell', 'container.exec']);
/** exec_command's answer for a command that has not finished yet (its exit comes with a later write_stdin). */
const STILL_RUNNING = /Process running with session ID/;
/** What Codex answers the model when the user refuses a command or a patch. */
const REJECTED = /^(exec command|patch) rejected by user/;

type Base = Omit<SessionEvent & { kind: 'interrupt' }, 'kind'>;

/**
 * The events of a Codex CLI rollout (`rollout-*.jsonl`), in file order: prompts (as the user
 * typed them, not the AGENTS.md or environment context Codex sends in the user role), tool
 * calls (exec_command, shell, local_shell_call, custom tools such as apply_patch) and their
 * outputs with the exit code read from the text, refusals, aborted turns and rollbacks.
 */
export async function* readCodexEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  let session: string | undefined;
  let cwd: string | undefined;
  const tools = new Map<string, string>();
  for await (const { line, row } of jsonlRecords(file, counts)) {
    if (!row || typeof row.type !== 'string') {
      counts.malformed++;
      continue;
    }
    if (!KNOWN_TYPES.has(row.type)) {
      counts.unknown++;
      continue;
    }
    const payload = row.payload;
    if (!isObject(payload)) {
      counts.malformed++;
      continue;
    }
    if (row.type === 'session_meta') {
      // Later session_meta records (a resumed or forked thread) keep the first one's id.
      session ??= str(payload.id);
      cwd = str(payload.cwd) ?? cwd;
      continue;
    }
    if (row.type === 'turn_context') {
      cwd = str(payload.cwd) ?? cwd;
      continue;
    }
    const base: Base = { agent: 'codex', session: session ?? basename(file, '.jsonl'), file, line };
    const time = str(row.timestamp);
    if (time !== undefined) base.time = time;
    if (cwd !== undefined) base.cwd = cwd;
    if (row.type === 'response_item') yield* responseItem(payload, base, tools);
    else if (row.type === 'event_msg') yield* eventMsg(row, payload, base);
  }
}

function* responseItem(item: Json, base: Base, tools: Map<string, string>): Generator<SessionEvent> {
  const id = str(item.call_id) ?? str(item.id) ?? '';
  switch (item.type) {
    case 'function_call': {
      const tool = str(item.name) ?? 'unknown';
      tools.set(id, tool);
      const args = plain(item.arguments);
      const input = args !== undefined && !(item.arguments instanceof CutText) ? parseArgs(args) : args;
      const command = isObject(input) ? shellCommand(input.cmd ?? input.command) : undefined;
      yield { ...base, kind: 'call', id, tool, ...(command !== undefined ? { command } : {}), input: boundedInput(input) };
      return;
    }
    case 'local_shell_call': {
      tools.set(id, 'local_shell');
      const action = isObject(item.action) ? item.action : {};
      const command = shellCommand(action.command);
      yield { ...base, kind: 'call', id, tool: 'local_shell', ...(command !== undefined ? { command } : {}), input: boundedInput(action) };
      return;
    }
    case 'custom_tool_call': {
      const tool = str(item.name) ?? 'unknown';
      tools.set(id, tool);
      yield { ...base, kind: 'call', id, tool, input: boundedInput(item.input) };
      return;
    }
    case 'function_call_output':
    case 'custom_tool_call_output':
    case 'local_shell_call_output': {
      const tool = tools.get(id);
      tools.delete(id);
      const { text, chars, exitCode: metaExit, failed } = outputOf(item.output);
      if (REJECTED.test(text.trimStart())) {
        yield { ...base, kind: 'rejection', id };
        return;
      }
      const found = EXIT_CODE.exec(text.slice(0, 400));
      const exitCode = metaExit ?? (found ? Number(found[1]) : undefined);
      // A shell call that ran says how it ended or that it is still running; any other answer
      // (the approval policy refusing it, a bad argument) means the command never ran.
      const refused = tool !== undefined && SHELL_TOOLS.has(tool) && exitCode === undefined && !STILL_RUNNING.test(text.slice(0, 400));
      const isError = failed || refused || (exitCode !== undefined && exitCode !== 0);
      yield { ...base, kind: 'result', id, ...(tool !== undefined ? { tool } : {}), output: text, outputChars: chars, ...(exitCode !== undefined ? { exitCode } : {}), isError };
      return;
    }
    default:
      return;
  }
}

function* eventMsg(row: Json, payload: Json, base: Base): Generator<SessionEvent> {
  switch (payload.type) {
    case 'user_message':
    case 'item_completed': {
      // The same rules as the user-text reader: typed prompts only, never injected context.
      for (const text of codexUserTexts(JSON.stringify(row)).texts) yield { ...base, kind: 'user', text };
      return;
    }
    case 'turn_aborted':
      // `interrupted` is the user stopping the turn; `replaced` and others are Codex's own doing.
      if (payload.reason === undefined || payload.reason === 'interrupted') yield { ...base, kind: 'interrupt' };
      return;
    case 'thread_rolled_back':
      yield { ...base, kind: 'rewind' };
      return;
    default:
      return;
  }
}

function parseArgs(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

/** The command line of a shell call: a string, or an argv (`["bash", "-lc", "npm test"]` gives `npm test`). */
function shellCommand(value: unknown): string | undefined {
  const text = plain(value);
  if (text !== undefined) return text;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  const argv = value as string[];
  if (argv.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(argv[0] as string) && /^-l?c$/.test(argv[1] as string)) return argv[2];
  return argv.join(' ');
}

/**
 * A tool output: plain text (exec_command, custom tools), the older shell tool's JSON text
 * `{"output", "metadata": {"exit_code"}}`, or an object with `content` (text items) and `success`.
 */
function outputOf(output: unknown): { text: string; chars: number; exitCode?: number; failed: boolean } {
  const raw = plain(output);
  if (raw !== undefined && !(output instanceof CutText) && raw.startsWith('{"output"')) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (isObject(parsed) && typeof parsed.output === 'string') {
        const meta = isObject(parsed.metadata) ? parsed.metadata : {};
        const exitCode = typeof meta.exit_code === 'number' ? meta.exit_code : undefined;
        return { text: keepOutput(parsed.output), chars: parsed.output.length, ...(exitCode !== undefined ? { exitCode } : {}), failed: false };
      }
    } catch {
      // Not that format: plain text.
    }
  }
  const one = textOf(output);
  if (one) return { ...one, failed: false };
  if (isObject(output)) {
    const inner = textOf(output.content) ?? joined(output.content);
    return { ...inner, failed: output.success === false };
  }
  return joined(output) as { text: string; chars: number; failed: boolean };
}

/** Text items (`{type: "input_text", text}` and the like) joined. */
function joined(items: unknown): { text: string; chars: number; failed: boolean } {
  const texts = Array.isArray(items) ? items.map((item) => (isObject(item) ? item.text : undefined)) : [];
  return { ...joinTexts(texts), failed: false };
}
