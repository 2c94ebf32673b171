import type { Agent } from './types.js';

/** GitHub Copilot CLI (BYOK): the OpenAI JS client plus Copilot's `x-initiator` / `x-interaction-type`. */
export const copilot: Agent = {
  name: 'copilot',
  sentRequest: (h) => h['x-interaction-type'] !== undefined || h['x-initiator'] !== undefined,
  sessionHeaders: [],
};
