import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { aiderUserTexts } from './aider-transcript.js';
import { keepOutput, type EventBase, type ReadCounts, type SessionEvent } from './events.js';
import { forgetLastMatch } from './transcript.js';

/**
 * Aider's chat history (`.aider.chat.history.md`, in the project) as headroom's event stream.
 * It is markdown, written as aider goes: `# aider chat started at <time>` opens a run (which
 * stands in for a session), `#### ` lines are what the user typed (one per line of a
 * multi-line input), `> ` lines are aider's own messages and the answers to its questions,
 * the rest is the model's text. Aider writes no command output and no exit code, so a
 * command's result is told by what aider wrote after it:
 *  - `/test CMD` adds the output to the chat only when CMD exits non-zero
 *    (`> Added N lines of output to the chat.` with no question before it);
 *  - `Attempt to fix test errors?` / `Attempt to fix lint errors?` follow a failed test or lint run;
 *  - `Error running command: ...` when the command could not run.
 * Model-suggested commands show as `> Running CMD`; answering `n` to `Run shell command?` is a
 * rejection; `^C again to exit` an interruption. `SEARCH/REPLACE block failed to match` is a
 * failed edit.
 */
export async function* readAiderEvents(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent> {
  const reader = new HistoryReader(file);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    counts.lines++;
    // Markdown has no records to break; a line of binary junk is the one thing to skip.
    if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
      counts.malformed++;
      continue;
    }
    yield* reader.line(text, line);
  }
  forgetLastMatch();
  yield* reader.end(line);
}

/** Where a pending command's fate is read from. */
interface Pending {
  id: string;
  tool: string;
  base: EventBase;
  /** Aider's messages after the command, joined: what stands in for its output. */
  notes: string[];
  failed: boolean;
  /** `/test`: a failure shows as output added without asking. */
  test: boolean;
  asked: boolean;
}

const STARTED = /^# aider chat started at (.+?)\s*$/;
const SHELL_QUESTION = /^Run shell commands?\? .*?: *(\w)/;
const ADD_QUESTION = /^Add .*output to the chat\?/;
const ADDED = /^Added \d+ lines? of output to the chat\.$/;
const FIX_QUESTION = /^Attempt to fix (test|lint) errors\?/;
const RUN_COMMAND = /^(?:\/(run|test)\s+|!)(.+)$/s;
/** How much of one line of aider's messages is kept. */
const MESSAGE_CHARS = 2000;
/** Lines of the model's text kept to know what a `Run shell command?` question was about. */
const SUBJECT_LINES = 20;

class HistoryReader {
  private session: string;
  private time?: string;
  private readonly cwd: string;
  private input: string[] = [];
  private inputLine = 0;
  private pending?: Pending;
  /** The lines since the last blank one: the subject of the next question. */
  private subject: string[] = [];
  private calls = 0;

  constructor(private readonly file: string) {
    // The history lives in the project's root, where aider runs.
    this.cwd = dirname(file);
    this.session = file;
  }

  *line(text: string, line: number): Generator<SessionEvent> {
    const started = text.startsWith('# aider chat started at ') ? STARTED.exec(text) : null;
    if (started) {
      yield* this.flush(line);
      this.session = started[1]!;
      this.time = isoTime(started[1]!);
      this.subject = [];
      return;
    }
    if (text.startsWith('#### ')) {
      if (this.input.length === 0) this.inputLine = line;
      this.input.push(text);
      return;
    }
    yield* this.flushInput(line);
    if (text.trim() === '') {
      this.subject = [];
      return;
    }
    if (!text.startsWith('>')) {
      if (this.subject.length < SUBJECT_LINES) this.subject.push(clip(text.trimEnd()));
      return;
    }
    yield* this.aiderMessage(clip(text.slice(1).trim()), line);
  }

  *end(line: number): Generator<SessionEvent> {
    yield* this.flush(line + 1);
  }

  private base(line: number): EventBase {
    const base: EventBase = { agent: 'aider', session: this.session, cwd: this.cwd, file: this.file, line };
    if (this.time) base.time = this.time;
    return base;
  }

  private *aiderMessage(message: string, line: number): Generator<SessionEvent> {
    const shell = SHELL_QUESTION.exec(message);
    if (!shell) {
      if (this.subject.length < SUBJECT_LINES) this.subject.push(message);
    } else {
      const subject = this.subject;
      this.subject = [];
      // The commands were the lines just before the question (the first one quoted).
      const commands = subject.map((c) => c.trim()).filter((c) => c !== '');
      if (shell[1]?.toLowerCase() !== 'y') {
        yield* this.flush(line);
        for (const command of commands) {
          const call = this.call('shell', command, line);
          yield call;
          yield { ...this.base(line), kind: 'rejection', id: call.id };
        }
      }
      return;
    }
    const running = /^Running (.+)$/.exec(message);
    if (running) {
      yield* this.flush(line);
      yield* this.start('shell', running[1]!, false, line);
      return;
    }
    if (/^\^C (again to exit|KeyboardInterrupt)/.test(message)) {
      yield* this.flush(line);
      yield { ...this.base(line), kind: 'interrupt' };
      return;
    }
    const fix = FIX_QUESTION.exec(message);
    if (fix) {
      // Auto-test and auto-lint run the configured command without naming it in the history.
      if (!this.pending) yield* this.start(fix[1]!, undefined, fix[1] === 'test', line);
      this.note(message, true);
      yield* this.flush(line);
      return;
    }
    if (/SEARCH\/REPLACE blocks? failed to match/.test(message)) {
      yield* this.flush(line);
      yield* this.start('edit', undefined, false, line);
      this.note(message, true);
      return;
    }
    const p = this.pending;
    if (!p) return;
    if (ADD_QUESTION.test(message)) p.asked = true;
    const failed = (ADDED.test(message) && p.test && !p.asked) || /^Error running command/.test(message);
    this.note(message, failed);
  }

  private note(message: string, failed: boolean): void {
    const p = this.pending;
    if (!p) return;
    if (p.notes.length < 50) p.notes.push(message);
    if (failed) p.failed = true;
  }

  private call(tool: string, command: string | undefined, line: number): SessionEvent & { kind: 'call' } {
    const id = `${line}:${++this.calls}`;
    const call: SessionEvent & { kind: 'call' } = { ...this.base(line), kind: 'call', id, tool, input: command ?? null };
    if (command) call.command = command;
    return call;
  }

  private *start(tool: string, command: string | undefined, test: boolean, line: number): Generator<SessionEvent> {
    const call = this.call(tool, command, line);
    this.pending = { id: call.id, tool, base: this.base(line), notes: [], failed: false, test, asked: false };
    yield call;
  }

  /** The user's input so far, as one message, or the command it runs. */
  private *flushInput(line: number): Generator<SessionEvent> {
    if (this.input.length === 0) return;
    const lines = this.input;
    const at = this.inputLine;
    this.input = [];
    yield* this.flush(line);
    const typed = lines.map((l) => l.slice(5).replace(/\s+$/, '')).join('\n');
    const command = RUN_COMMAND.exec(typed);
    if (command) {
      yield* this.start(command[1] ?? 'run', command[2]!.trim(), command[1] === 'test', at);
      return;
    }
    const texts = lines.flatMap((l) => aiderUserTexts(l).texts);
    if (texts.length > 0) yield { ...this.base(at), kind: 'user', text: texts.join('\n') };
  }

  /** Ends the pending command: its result, an error when a failure marker followed it. */
  private *flush(line: number): Generator<SessionEvent> {
    yield* this.flushInput(line);
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    const whole = p.notes.join('\n');
    yield { ...p.base, kind: 'result', id: p.id, tool: p.tool, output: keepOutput(whole), outputChars: whole.length, isError: p.failed };
  }
}

/** Text to keep from one line: at most MESSAGE_CHARS, sharing no memory with a huge line it came from. */
function clip(text: string): string {
  return text.length <= MESSAGE_CHARS ? text : Buffer.from(text.slice(0, MESSAGE_CHARS), 'utf8').toString('utf8');
}

/** Aider's `2026-11-21 08:02:11` (local time, no zone) as `2026-11-21T08:02:11`. */
function isoTime(text: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)$/.exec(text.trim());
  return m ? `${m[1]}T${m[2]}` : undefined;
}
