import { readClaudeEvents } from './claude-events.js';
import { INJECTED_CONTEXT } from './injected-context.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claudeHookSettings } from './claude-settings.js';
import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { claudeTranscriptFile, claudeUserTexts } from './claude-transcript.js';
import type { Agent, Launch, LaunchContext } from './types.js';

/** Claude Code: user-agent `claude-cli/<version> (...)`, session in `x-claude-code-session-id`. */
export const claude: Agent = {
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  install: 'npm install -g @anthropic-ai/claude-code',
  instructionFiles: ['CLAUDE.local.md', 'CLAUDE.md'],
  learnFile: 'CLAUDE.md',
  /** Claude Code wraps reminders (files read, todo state, hooks' output) in user turns. */
  injectedContext: INJECTED_CONTEXT.claude,
  transcriptDir: (env) => (env.CLAUDE_CONFIG_DIR ? `${env.CLAUDE_CONFIG_DIR}/projects` : inHome(env, '.claude', 'projects')),
  transcriptDepth: 1,
  transcriptFile: claudeTranscriptFile,
  userTexts: claudeUserTexts,
  events: readClaudeEvents,
  // ANTHROPIC_BASE_URL is the API root (Claude Code adds /v1/messages itself).
  upstreams: (env) => ({ anthropic: upstreamFromBaseUrl(firstSet(env, 'ANTHROPIC_BASE_URL')) }),
  launch: launchClaude,
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('claude-cli/') || h['x-claude-code-session-id'] !== undefined,
  sessionHeaders: ['x-claude-code-session-id'],
  // Its background calls (the session title, with the prompt inside <session>) declare no tools.
  mainConversation: (r) => r.tools.length > 0,
};

/**
 * Routes Claude Code through the proxy, and adds the source-compression hook as a session-only
 * `--settings` file (the user's own settings files still apply). A user who passes their own
 * `--settings` keeps it alone: headroom does not put a second one next to it.
 */
function launchClaude({ proxyUrl, args, sourceHook }: LaunchContext): Launch {
  const env = { ANTHROPIC_BASE_URL: proxyUrl };
  if (!sourceHook) return { args: [...args], env };
  if (args.some((a) => a === '--settings' || a.startsWith('--settings='))) {
    return { args: [...args], env, sourceHook: { installed: false, why: 'you passed --settings' } };
  }
  const file = join(sourceHook.dir, 'claude-settings.json');
  writeFileSync(file, `${JSON.stringify(claudeHookSettings(sourceHook.command('claude-post-tool-use')), null, 2)}\n`, { mode: 0o600 });
  return { args: ['--settings', file, ...args], env, sourceHook: { installed: true } };
}
