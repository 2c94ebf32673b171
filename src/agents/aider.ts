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
  upstreams: (env) => ({
    openai: upstreamFromBaseUrl(firstSet(env, 'OPENAI_API_BASE', 'OPENAI_BASE_URL')),
    anthropic: upstreamFromBaseUrl(firstSet(env, 'ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL')),
  }),
  launch: ({ proxyUrl, args }) => ({
    args: [...args],
    env: { OPENAI_API_BASE: `${proxyUrl}/v1`, ANTHROPIC_API_BASE: proxyUrl, ANTHROPIC_BASE_URL: proxyUrl },
  }),
  sentRequest: (h) => /aider|litellm/i.test(String(h['user-agent'] ?? '')),
  sessionHeaders: [],
};
