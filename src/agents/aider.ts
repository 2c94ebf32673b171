import { firstSet, upstreamFromBaseUrl } from './env.js';
import type { Agent } from './types.js';

/**
 * Aider talks through litellm, whose user-agent names it (or aider itself). litellm reads
 * OPENAI_API_BASE for OpenAI and ANTHROPIC_API_BASE / ANTHROPIC_BASE_URL for Anthropic.
 */
export const aider: Agent = {
  name: 'aider',
  title: 'Aider',
  binary: 'aider',
  install: 'python -m pip install aider-chat (or: pipx install aider-chat)',
  instructionFiles: ['CONVENTIONS.md'],
  transcriptDir: () => '.aider.chat.history.md',
  launch: ({ proxyUrl, args, env }) => ({
    args: [...args],
    env: { OPENAI_API_BASE: `${proxyUrl}/v1`, ANTHROPIC_API_BASE: proxyUrl, ANTHROPIC_BASE_URL: proxyUrl },
    upstreams: {
      openai: upstreamFromBaseUrl(firstSet(env, 'OPENAI_API_BASE', 'OPENAI_BASE_URL')),
      anthropic: upstreamFromBaseUrl(firstSet(env, 'ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL')),
    },
  }),
  sentRequest: (h) => /aider|litellm/i.test(String(h['user-agent'] ?? '')),
  sessionHeaders: [],
};
