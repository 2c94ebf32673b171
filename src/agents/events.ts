import type { AgentName } from './types.js';

/**
 * One normalised event from an agent's session transcript. Every agent's reader turns its own
 * format into this stream, in conversation order, so `headroom learn` mines them all alike.
 */
export type SessionEvent = EventBase &
  (
    | { kind: 'user'; text: string }
    | {
        kind: 'call';
        /** The agent's id for the call, matching the result's `id`. */
        id: string;
        /** The tool's name as the agent calls it (Bash, shell, run_shell_command, ...). */
        tool: string;
        /** The shell command, when the tool runs one. */
        command?: string;
        /** The tool's input as the agent wrote it (cut to a bounded size). */
        input: unknown;
      }
    | {
        kind: 'result';
        id: string;
        tool?: string;
        /** The output the model saw, cut to at most OUTPUT_KEEP_CHARS (head and tail). */
        output: string;
        /** Length of the whole output, in characters, before cutting. */
        outputChars: number;
        /** The command's exit code, parsed from the output where the agent's status flag only says the tool ran. */
        exitCode?: number;
        /** The agent marked the result as an error, or the exit code is non-zero. */
        isError: boolean;
      }
    /** The user stopped the agent mid-turn. */
    | { kind: 'interrupt' }
    /** The user refused a tool call; `feedback` is what they typed with the refusal. */
    | { kind: 'rejection'; id?: string; feedback?: string }
    /** The conversation was rewound to an earlier point; later events replace what followed it. */
    | { kind: 'rewind'; to?: string }
  );

export interface EventBase {
  agent: AgentName;
  /** The agent's session id (the file name when the transcript does not say). */
  session: string;
  /** ISO time of the record, when the transcript has one. */
  time?: string;
  /** The session's working directory, when known. */
  cwd?: string;
  /** Where the event was read: the transcript file and its 1-based line. */
  file: string;
  line: number;
  /** The event came from a subagent the session started. */
  subagent?: boolean;
}

/** How much of a tool output an event keeps: enough to show a failure, bounded for huge logs. */
export const OUTPUT_KEEP_CHARS = 4000;

/** What a reader met besides events: lines it skipped, so a report can say so. */
export interface ReadCounts {
  lines: number;
  /** Lines that were not JSON (cut short, binary junk) or not a record the reader knows. */
  malformed: number;
  /** Records of a type the reader does not know (a newer agent version), skipped. */
  unknown: number;
  /** Session files too big to read whole (a format that is one JSON document), skipped. */
  oversized?: number;
}

export function emptyCounts(): ReadCounts {
  return { lines: 0, malformed: 0, unknown: 0 };
}

/** How many characters of a cut output's head, and of its tail, are kept. */
export const KEEP_HALF = Math.floor(OUTPUT_KEEP_CHARS / 2);

/** A tool output cut to OUTPUT_KEEP_CHARS: its head and tail, where failures usually show, joined by a marker. */
export function keepOutput(text: string): string {
  if (text.length <= OUTPUT_KEEP_CHARS) return text;
  return keptText(text.slice(0, KEEP_HALF), text.slice(-KEEP_HALF), text.length - 2 * KEEP_HALF);
}

/** The kept form of a cut output: its head and tail around a marker that says how many characters between them were dropped. */
export function keptText(head: string, tail: string, notKept: number): string {
  return detached(`${head}\n[… ${notKept} characters not kept …]\n${tail}`);
}

/**
 * A copy of `text` that shares no memory with the string it was cut from: in V8 a slice of a
 * huge output can keep the whole output alive for as long as the slice lives.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
