import { combineContext, type InjectedContext } from '../wire/index.js';

/**
 * The blocks each agent adds to its user messages (reminders, environment, instruction files):
 * not the user's words, so not what compression should be relevant to. Data only, so that the
 * library's compressRequest can leave them out without loading the agents' adapters.
 */
export const INJECTED_CONTEXT = {
  claude: { tags: ['system-reminder'], preambles: [] },
  codex: { tags: ['environment_context', 'user_instructions', 'INSTRUCTIONS'], preambles: ['# AGENTS.md instructions'] },
  copilot: { tags: ['current_datetime'], preambles: [] },
  gemini: { tags: ['session_context'], preambles: [] },
  qwen: { tags: ['system-reminder'], preambles: [] },
  kilo: { tags: ['environment_details'], preambles: [] },
} as const satisfies Record<string, InjectedContext>;

/** Every agent's injected context blocks: what a proxy serving any of them leaves out of user text. */
export const AGENT_CONTEXT: InjectedContext = combineContext(...Object.values(INJECTED_CONTEXT).map((c) => ({ tags: [...c.tags], preambles: [...c.preambles] })));
