import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inHome, type Env } from './env.js';
import type { ReadCounts, SessionEvent } from './events.js';
import { routedInlineConfig, userInlineConfig, userProviderBaseUrls } from './opencode-config.js';
import { OPENCODE_PLUGIN_FILE, opencodePluginSource } from './opencode-plugin.js';
import { transcriptLine } from './transcript.js';
import type { Agent, Launch, LaunchContext } from './types.js';

/**
 * opencode (npm `opencode-ai`): user-agent `opencode/<version> ai-sdk/...`, session in
 * `x-session-id`. Routed for one run by OPENCODE_CONFIG_CONTENT (an inline config opencode merges
 * over the user's files) that points its anthropic (Messages) and openai (Responses) providers
 * at the proxy; other providers it knows go to their own APIs, not through headroom. The same
 * inline config adds the source-compression plugin, a file in the session folder.
 *
 * Its sessions live in a SQLite database (opencode.db under its data folder), which Node 20
 * cannot read without a native module: `learn` and "remember ..." capture do not read them.
 */
export const opencode: Agent = {
  name: 'opencode',
  title: 'opencode',
  binary: 'opencode',
  install: 'npm install -g opencode-ai',
  instructionFiles: ['AGENTS.md', 'CLAUDE.md'],
  learnFile: 'AGENTS.md',
  unreadableSessions: 'its sessions are in a SQLite database',
  transcriptDir: (env) => dataDir(env),
  transcriptDepth: 0,
  // No session file: the database is not a transcript headroom can read (see above).
  transcriptFile: () => false,
  userTexts: () => transcriptLine([]),
  events: noEvents,
  upstreams: (env) => userProviderBaseUrls(env),
  launch: launchOpencode,
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('opencode/'),
  sessionHeaders: ['x-session-id'],
  // Its session title request declares no tools; its turns do.
  mainConversation: (r) => r.tools.length > 0,
};

function launchOpencode({ proxyUrl, args, env, sourceHook }: LaunchContext): Launch {
  const user = userInlineConfig(env);
  if (!sourceHook) return { args: [...args], env: { OPENCODE_CONFIG_CONTENT: routedInlineConfig(user, proxyUrl) } };
  const plugin = join(sourceHook.dir, OPENCODE_PLUGIN_FILE);
  writeFileSync(plugin, opencodePluginSource(sourceHook.command('opencode-tool-execute-after')), { mode: 0o600 });
  const config = routedInlineConfig(user, proxyUrl, [pathToFileURL(plugin).href]);
  return { args: [...args], env: { OPENCODE_CONFIG_CONTENT: config }, sourceHook: { installed: true } };
}

/** opencode's data folder (XDG_DATA_HOME/opencode, else ~/.local/share/opencode). */
function dataDir(env: Env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'opencode') : inHome(env, '.local', 'share', 'opencode');
}

async function* noEvents(_file: string, _counts: ReadCounts): AsyncGenerator<SessionEvent> {}
