import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { claudeTranscriptFile, claudeUserTexts } from './claude-transcript.js';
import type { Agent } from './types.js';

/** Claude Code: user-agent `claude-cli/<version> (...)`, session in `x-claude-code-session-id`. */
export const claude: Agent = {
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  install: 'npm install -g @anthropic-ai/claude-code',
  instructionFiles: ['CLAUDE.local.md', 'CLAUDE.md'],
  transcriptDir: (env) => (env.CLAUDE_CONFIG_DIR ? `${env.CLAUDE_CONFIG_DIR}/projects` : inHome(env, '.claude', 'projects')),
  transcriptDepth: 1,
  transcriptFile: claudeTranscriptFile,
  userTexts: claudeUserTexts,
  // ANTHROPIC_BASE_URL is the API root (Claude Code adds /v1/messages itself).
  upstreams: (env) => ({ anthropic: upstreamFromBaseUrl(firstSet(env, 'ANTHROPIC_BASE_URL')) }),
  launch: ({ proxyUrl, args }) => ({ args: [...args], env: { ANTHROPIC_BASE_URL: proxyUrl } }),
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('claude-cli/') || h['x-claude-code-session-id'] !== undefined,
  sessionHeaders: ['x-claude-code-session-id'],
};
