import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { claudeUserTexts } from './claude-transcript.js';
import type { ReadCounts, SessionEvent } from './events.js';
import { boundedInput, joinTexts, jsonlRecords, plain, textOf } from './jsonl-records.js';
import { isObject, str, type Json } from './transcript.js';

/** Row types Claude Code writes besides user and assistant turns; read past without a count. */
const KNOWN_TYPES = new Set([
  'user', 'assistant', 'system', 'attachment', 'summary', 'queue-operation', 'last-prompt', 'mode', 'permission-mode',
  'file-history-snapshot', 'progress', 'custom-title', 'ai-title', 'tag', 'agent-name', 'agent-color', 'agent-setting',
  'pr-link', 'worktree-state', 'content-replacement', 'speculation-accept', 'marble-origami-commit',
  'marble-origami-snapshot', 'marble-origami-reset',
]);

/** A refused tool call; the second form carries what the user typed with the refusal. */
const REJECTED = /^The user doesn't want to (proceed with this tool use|take this action right now)/;
const FEEDBACK = /the user said:\s*([\s\S]*)$/;
const INTERRUPTED = /^\[Request interrupted by user/;
const EXIT_CODE = /^Exit code (\d+)/;
const TOOL_USE_ERROR = /<tool_use_error>/;
/** Rows whose parent has not been read yet are held back at most this many; then they go out in file order. */
const MAX_HELD = 2000;

/** One row's events, waiting for its place in the uuid/parentUuid chain. */
interface Row {
  uuid: string;
  parent?: string;
  line: number;
  sidechain: boolean;
  /** The row is a prompt the person typed (a new branch from an earlier row is a rewind). */
  prompt: boolean;
  events: SessionEvent[];
  /** Subagents whose transcripts belong before this row's events (the Agent tool's result). */
  agents: string[];
}

/**
 * The events of a Claude Code session transcript, in the order of its uuid/parentUuid chain
 * (a row written before its parent waits for it; `rewind.to` is the uuid of the row a new branch starts from):
 * prompts, tool calls and results (`Exit code N`, `is_error`, `<tool_use_error>`), refusals with
 * the user's feedback, interruptions, and a rewind where a prompt starts a new branch from an
 * earlier row. The session's subagent transcripts (`<session>/subagents/agent-*.jsonl`) are read
 * in place of the Agent call that started them, their events marked `subagent`.
 */
export async function* readClaudeEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const inSubagentDir = basename(dirname(file)) === 'subagents';
  const folder = inSubagentDir ? undefined : join(dirname(file), basename(file, '.jsonl'), 'subagents');
  const read = new Set<string>();
  yield* readChain(file, counts, inSubagentDir, folder, read);
  if (folder === undefined || !fs.existsSync(folder)) return;
  for (const name of fs.readdirSync(folder).sort()) {
    if (/^agent-.*\.jsonl$/.test(name) && !read.has(name)) yield* readChain(join(folder, name), counts, true, undefined, read);
  }
}

async function* readChain(file: string, counts: ReadCounts, subagent: boolean, folder: string | undefined, read: Set<string>): AsyncGenerator<SessionEvent> {
  read.add(basename(file));
  const chain = new Chain(file, subagent);
  const emit = async function* (rows: Row[]): AsyncGenerator<SessionEvent> {
    for (const row of rows) {
      for (const id of row.agents) {
        const name = `agent-${id}.jsonl`;
        if (folder !== undefined && !read.has(name) && fs.existsSync(join(folder, name))) yield* readChain(join(folder, name), counts, true, undefined, read);
      }
      yield* row.events;
    }
  };
  for await (const { line, row } of jsonlRecords(file, counts)) {
    if (!row || typeof row.type !== 'string') {
      counts.malformed++;
      continue;
    }
    if (!KNOWN_TYPES.has(row.type)) {
      counts.unknown++;
      continue;
    }
    yield* emit(chain.add(row, line));
  }
  yield* emit(chain.flush());
}

/** Puts rows in chain order as they stream in, and turns each into events. */
class Chain {
  private readonly seen = new Set<string>();
  private readonly held = new Map<string, Row[]>();
  private heldCount = 0;
  private tip: string | undefined;
  /** Tool names by call id, until the result comes. */
  private readonly tools = new Map<string, string>();
  private session: string;
  private cwd: string | undefined;

  constructor(
    private readonly file: string,
    private readonly subagent: boolean,
  ) {
    this.session = basename(file, '.jsonl');
  }

  add(json: Json, line: number): Row[] {
    const uuid = str(json.uuid);
    if (uuid === undefined) return [];
    this.session = str(json.sessionId) ?? this.session;
    this.cwd = str(json.cwd) ?? this.cwd;
    const row = this.rowOf(json, uuid, line);
    // The file's first row never waits: a resumed session's file starts from a row of another file.
    if (row.parent !== undefined && !this.seen.has(row.parent) && this.seen.size > 0) {
      const siblings = this.held.get(row.parent) ?? [];
      siblings.push(row);
      this.held.set(row.parent, siblings);
      if (++this.heldCount > MAX_HELD) return this.flush();
      return [];
    }
    return this.release(row);
  }

  /** Everything still held (parents never seen), in file order. */
  flush(): Row[] {
    const rows = [...this.held.values()].flat().sort((a, b) => a.line - b.line);
    this.held.clear();
    this.heldCount = 0;
    return rows.flatMap((r) => this.release(r));
  }

  private release(first: Row): Row[] {
    const out: Row[] = [];
    const todo = [first];
    while (todo.length > 0) {
      const row = todo.shift() as Row;
      if (row.prompt && !row.sidechain && row.parent !== undefined && this.tip !== undefined && row.parent !== this.tip && this.seen.has(row.parent)) {
        row.events.unshift({ ...this.base(row.events[0]?.time, row.line, row.sidechain), kind: 'rewind', to: row.parent });
      }
      this.seen.add(row.uuid);
      if (!row.sidechain) this.tip = row.uuid;
      this.nameTools(row.events);
      out.push(row);
      const children = this.held.get(row.uuid);
      if (children) {
        this.held.delete(row.uuid);
        this.heldCount -= children.length;
        todo.unshift(...children);
      }
    }
    return out;
  }

  /** Results name their call's tool; done in chain order, since a result row can be written before its call's. */
  private nameTools(events: SessionEvent[]): void {
    for (const e of events) {
      if (e.kind === 'call') this.tools.set(e.id, e.tool);
      else if (e.kind === 'result' && e.tool === undefined) {
        const tool = this.tools.get(e.id);
        this.tools.delete(e.id);
        if (tool !== undefined) e.tool = tool;
      }
    }
  }

  private base(time: string | undefined, line: number, sidechain: boolean): Omit<SessionEvent & { kind: 'interrupt' }, 'kind'> {
    const out: Omit<SessionEvent & { kind: 'interrupt' }, 'kind'> = { agent: 'claude', session: this.session, file: this.file, line };
    if (time !== undefined) out.time = time;
    if (this.cwd !== undefined) out.cwd = this.cwd;
    if (this.subagent || sidechain) out.subagent = true;
    return out;
  }

  private rowOf(json: Json, uuid: string, line: number): Row {
    const sidechain = json.isSidechain === true;
    const row: Row = { uuid, parent: str(json.parentUuid), line, sidechain, prompt: false, events: [], agents: [] };
    const base = this.base(str(json.timestamp), line, sidechain);
    const message = isObject(json.message) ? json.message : undefined;
    const content = message?.content;
    if (json.type === 'assistant' && Array.isArray(content)) {
      for (const block of content) {
        if (!isObject(block) || block.type !== 'tool_use' || str(block.id) === undefined) continue;
        const id = block.id as string;
        const tool = str(block.name) ?? 'unknown';
        const command = isObject(block.input) ? plain(block.input.command) : undefined;
        row.events.push({ ...base, kind: 'call', id, tool, ...(command !== undefined ? { command } : {}), input: boundedInput(block.input) });
      }
      return row;
    }
    if (json.type === 'user' && Array.isArray(content)) {
      let interrupted = false;
      for (const block of content) {
        if (!isObject(block)) continue;
        if (block.type === 'tool_result') interrupted = this.result(row, base, block, json.toolUseResult) || interrupted;
        else if (block.type === 'text' && INTERRUPTED.test((plain(block.text) ?? '').trim())) interrupted = true;
      }
      if (interrupted) row.events.push({ ...base, kind: 'interrupt' });
    } else if (json.type === 'user' && INTERRUPTED.test((plain(content) ?? '').trim())) {
      row.events.push({ ...base, kind: 'interrupt' });
    }
    if (json.type === 'user' || json.type === 'attachment') {
      // What the person typed: the same rules as the user-text reader (no tool results, commands, reminders).
      for (const text of claudeUserTexts(JSON.stringify(json)).texts) {
        row.prompt = true;
        row.events.push({ ...base, kind: 'user', text });
      }
    }
    return row;
  }

  /** Adds the events of one tool_result block; true when it says the user interrupted the call. */
  private result(row: Row, base: ReturnType<Chain['base']>, block: Json, toolUseResult: unknown): boolean {
    const id = str(block.tool_use_id) ?? '';
    const { text, chars } = contentText(block.content);
    const start = text.trimStart();
    if (REJECTED.test(start)) {
      const feedback = FEEDBACK.exec(start)?.[1]?.trim();
      row.events.push({ ...base, kind: 'rejection', id, ...(feedback ? { feedback } : {}) });
      return false;
    }
    if (INTERRUPTED.test(start)) return true;
    const exit = EXIT_CODE.exec(start);
    const exitCode = exit ? Number(exit[1]) : undefined;
    const isError =
      block.is_error === true ||
      (exitCode !== undefined && exitCode !== 0) ||
      TOOL_USE_ERROR.test(start.slice(0, 200)) ||
      (typeof toolUseResult === 'string' && toolUseResult.startsWith('Error'));
    row.events.push({ ...base, kind: 'result', id, output: text, outputChars: chars, ...(exitCode !== undefined ? { exitCode } : {}), isError });
    if (isObject(toolUseResult)) {
      const agent = str(toolUseResult.agentId);
      if (agent !== undefined) row.agents.push(agent);
    }
    return false;
  }
}

/** A tool_result's content (a string or text blocks) as kept text and full length. */
function contentText(content: unknown): { text: string; chars: number } {
  const one = textOf(content);
  if (one) return one;
  if (!Array.isArray(content)) return { text: '', chars: 0 };
  return joinTexts(content.map((block) => (isObject(block) ? block.text : undefined)));
}
