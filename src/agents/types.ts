export type AgentName = 'claude' | 'codex' | 'copilot' | 'gemini' | 'aider';

/** What headroom knows about one coding agent. Agent specifics live only in src/agents/. */
export interface Agent {
  name: AgentName;
  /** Recognises the agent's HTTP requests (lower-cased header names). */
  sentRequest(headers: Readonly<Record<string, string | string[] | undefined>>): boolean;
  /** Headers in which the agent names its session, most specific first. */
  sessionHeaders: readonly string[];
}
