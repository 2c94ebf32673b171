import type { Agent } from './types.js';

/** Gemini CLI: user-agent `GeminiCLI/...` or `GeminiCLI-tui/...`. */
export const gemini: Agent = {
  name: 'gemini',
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('GeminiCLI'),
  sessionHeaders: [],
};
