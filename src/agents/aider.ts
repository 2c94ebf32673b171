import { readAiderEvents } from './aider-events.js';
import { firstSet, upstreamFromBaseUrl } from './env.js';
import { aiderTranscriptFile, aiderUserTexts } from './aider-transcript.js';
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
  learnFile: 'CONVENTIONS.md',
  // A file in the project, not a folder; --chat-history-file / AIDER_CHAT_HISTORY_FILE moves it.
  transcriptDir: (env) => firstSet(env, 'AIDER_CHAT_HISTORY_FILE') ?? '.aider.chat.history.md',
  transcriptDepth: 0,
  transcriptFile: aiderTranscriptFile,
  userTexts: aiderUserTexts,
  events: readAiderEvents,
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
