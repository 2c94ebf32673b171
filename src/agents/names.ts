/**
 * The agents' names, without the agents: `--help` and option choices list them without loading
 * every agent's launch, transcript and hook code (about as much start-up work as the rest of
 * the CLI). `test/agents/names.test.ts` keeps these lists in step with the registry.
 */
export const AGENT_NAMES = ['claude', 'codex', 'copilot', 'gemini', 'aider', 'opencode', 'qwen', 'kilo', 'continue', 'cline'] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

/** The agents whose session transcripts `headroom learn` can read. */
export const LEARNABLE_AGENT_NAMES: readonly AgentName[] = ['claude', 'codex', 'copilot', 'gemini', 'aider', 'qwen', 'continue', 'cline'];
