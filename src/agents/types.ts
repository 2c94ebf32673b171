import type { UpstreamName } from '../proxy/routes.js';
import type { InjectedContext } from '../wire/index.js';
import type { Env } from './env.js';
import type { ReadCounts, SessionEvent } from './events.js';

import type { AgentName } from './names.js';

export type { AgentName };

/** What `headroom wrap` knows when it launches an agent. */
export interface LaunchContext {
  /** The embedded proxy, e.g. http://127.0.0.1:41234 (no /v1). */
  proxyUrl: string;
  /** The arguments the user gave for the agent (after `--`). */
  args: readonly string[];
  /** The user's environment, which the agent inherits. */
  env: Env;
  /** The agent runs in a terminal (under headroom's PTY), so it can ask the user. */
  interactive: boolean;
  /**
   * Present when big command outputs should be compressed at the source: a folder for this
   * session's files, and the command line that runs `headroom hook <event>`.
   */
  sourceHook?: { dir: string; command(event: string): string };
}

/** How to start an agent so that its model traffic goes through the proxy. */
export interface Launch {
  /** The agent's full argument list. */
  args: string[];
  /** Variables set on top of the user's environment. */
  env: Record<string, string>;
  /** Whether a hook compresses big command outputs at the source in this launch (else why not). */
  sourceHook?: { installed: true } | { installed: false; why: string };
  /** Removes what the agent keeps outside the session folder for this launch only; run once it has exited. */
  cleanup?: () => void;
}

export { LaunchError } from '../errors.js';

/** What an adapter sees of one model request to tell its main conversation from background calls. */
export interface ModelRequestView {
  /** Names of the tools the request declares. */
  tools: readonly string[];
  /** The request's headers (lower-cased names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What one transcript line says about the session and what the user typed in it. */
export interface TranscriptLine {
  /** The agent's own session id, when the line names it. */
  session?: string;
  /** The directory the session works in, when the line names it. */
  cwd?: string;
  /** The record's id, when the agent may write the same record again (a later write replaces it). */
  record?: string;
  /** The user's own texts in the line, in order. */
  texts: string[];
}

/** What headroom knows about one coding agent. Agent specifics live only in src/agents/. */
export interface Agent {
  name: AgentName;
  /** Human name, e.g. "Claude Code". */
  title: string;
  /** The executable looked up on PATH. */
  binary: string;
  /** How to install it, for the "not installed" error. */
  install: string;
  /** The instruction files it reads, most specific first. */
  instructionFiles: readonly string[];
  /** The project instruction file `headroom learn` writes its rules into, relative to the project root. */
  learnFile: string;
  /**
   * Blocks it adds to the user's turns that are context, not the user's words: the proxy leaves
   * them out of the relevance query and of the recall query. Absent: none.
   */
  injectedContext?: InjectedContext;
  /**
   * Why headroom cannot read its sessions (learn and "remember ..." capture skip it), when it
   * cannot. Absent: its transcripts are read.
   */
  unreadableSessions?: string;
  /** Where it writes its session transcripts (relative paths are relative to the project). */
  transcriptDir(env: Env): string;
  /** How many folder levels below transcriptDir its transcripts sit (0: in it, or it is the file). */
  transcriptDepth: number;
  /** Whether a file under transcriptDir is one of its session transcripts (not a subagent's, not a lock or snapshot). */
  transcriptFile(path: string): boolean;
  /**
   * What the user typed, in one line of a transcript: the prompts a person wrote, never the
   * model's text, tool output or context the agent injected. Never throws; [] for anything else.
   */
  userTexts(line: string): TranscriptLine;
  /** The events of one transcript file, in conversation order, streamed (for `headroom learn`). Skipped lines are counted in `counts`. */
  events(file: string, counts: ReadCounts): AsyncGenerator<SessionEvent>;
  /**
   * Upstreams from the user's own agent settings (a base URL they had pointed the agent at, in
   * its environment, its files, or a config file named in `args`, the agent's arguments): the
   * proxy forwards there instead of the provider's public API.
   */
  upstreams(env: Env, args?: readonly string[]): Partial<Record<UpstreamName, string>>;
  /** Arguments and environment that route its model traffic through the proxy. Throws LaunchError. */
  launch(ctx: LaunchContext): Launch;
  /** Recognises the agent's HTTP requests (lower-cased header names). */
  sentRequest(headers: Readonly<Record<string, string | string[] | undefined>>): boolean;
  /** Headers in which the agent names its session, most specific first. */
  sessionHeaders: readonly string[];
  /**
   * Whether a model request belongs to the agent's main conversation, the one that carries the
   * user's new prompt, and not to a background call (a title, a routing decision, a summary):
   * recalled memories go into main-conversation requests only. Absent: every request does.
   */
  mainConversation?(request: ModelRequestView): boolean;
}
