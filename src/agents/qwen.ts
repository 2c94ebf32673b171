import { firstSet, inHome, upstreamFromBaseUrl, type Env } from './env.js';
import { INJECTED_CONTEXT } from './injected-context.js';
import { readQwenEvents } from './qwen-events.js';
import { qwenTranscriptFile, qwenUserTexts } from './qwen-transcript.js';
import { LaunchError, type Agent, type LaunchContext, type Launch } from './types.js';

/**
 * Qwen Code (npm `@qwen-code/qwen-code`): user-agent `QwenCode/<version>` for its OpenAI-compatible
 * auth (Chat Completions), `claude-cli/<version>` for its Anthropic auth (Messages); no session
 * header. Routed for one run by OPENAI_BASE_URL and ANTHROPIC_BASE_URL; the base URLs the user had
 * set there become the proxy's upstreams. Its Qwen OAuth, Gemini and Vertex auth types are not routed.
 */
export const qwen: Agent = {
  name: 'qwen',
  title: 'Qwen Code',
  binary: 'qwen',
  install: 'npm install -g @qwen-code/qwen-code',
  instructionFiles: ['QWEN.md', 'AGENTS.md'],
  learnFile: 'QWEN.md',
  /** It opens a conversation with the skills it offers as a system reminder in the user's turn. */
  injectedContext: INJECTED_CONTEXT.qwen,
  transcriptDir: (env) => inHome(env, '.qwen', 'projects'),
  transcriptDepth: 2,
  transcriptFile: qwenTranscriptFile,
  userTexts: qwenUserTexts,
  events: readQwenEvents,
  upstreams: (env) => ({
    openai: upstreamFromBaseUrl(firstSet(env, 'OPENAI_BASE_URL')),
    anthropic: upstreamFromBaseUrl(firstSet(env, 'ANTHROPIC_BASE_URL')),
  }),
  launch: launchQwen,
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('QwenCode/'),
  sessionHeaders: [],
  // Its side calls (a session title, a next-speaker check) declare no tools; its turns do.
  mainConversation: (r) => r.tools.length > 0,
};

function launchQwen({ proxyUrl, args }: LaunchContext): Launch {
  if (args.some((a) => a === '--openai-base-url' || a.startsWith('--openai-base-url='))) {
    throw new LaunchError('headroom routes Qwen Code by OPENAI_BASE_URL: set your base URL there instead of --openai-base-url, and headroom forwards to it.');
  }
  return { args: [...args], env: { OPENAI_BASE_URL: `${proxyUrl}/v1`, ANTHROPIC_BASE_URL: proxyUrl } };
}
