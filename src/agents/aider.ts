import type { Agent } from './types.js';

/** Aider talks through litellm, whose user-agent names it (or aider itself). */
export const aider: Agent = {
  name: 'aider',
  sentRequest: (h) => /aider|litellm/i.test(String(h['user-agent'] ?? '')),
  sessionHeaders: [],
};
