import type { Agent } from './types.js';

/** Claude Code: user-agent `claude-cli/<version> (...)`, session in `x-claude-code-session-id`. */
export const claude: Agent = {
  name: 'claude',
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('claude-cli/') || h['x-claude-code-session-id'] !== undefined,
  sessionHeaders: ['x-claude-code-session-id'],
};
