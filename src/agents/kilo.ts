import { join } from 'node:path';
import { inHome, type Env } from './env.js';
import type { ReadCounts, SessionEvent } from './events.js';
import { INJECTED_CONTEXT } from './injected-context.js';
import { routedInlineConfig, userInlineConfig, userProviderBaseUrls, type ConfigPlaces } from './opencode-config.js';
import { transcriptLine } from './transcript.js';
import type { Agent, Launch, LaunchContext } from './types.js';

/**
 * Kilo Code's CLI (npm `@kilocode/cli`, binary `kilo`), built on opencode: user-agent
 * `kilo/<channel>/<version>/cli ai-sdk/...`, session in `x-session-id`. Routed for one run as
 * opencode is, by an inline config (KILO_CONFIG_CONTENT, merged over the user's files) that points
 * its anthropic (Messages) and openai (Responses) providers at the proxy; its Kilo Gateway and the
 * other providers it knows go to their own APIs, not through headroom.
 *
 * Its sessions live in a SQLite database (kilo.db under its data folder), which Node 20 cannot
 * read without a native module: `learn` and "remember ..." capture do not read them.
 */
export const kilo: Agent = {
  name: 'kilo',
  title: 'Kilo Code',
  binary: 'kilo',
  install: 'npm install -g @kilocode/cli',
  instructionFiles: ['AGENTS.md', 'CLAUDE.md', 'CONTEXT.md'],
  learnFile: 'AGENTS.md',
  /** It appends the time and working directory to each of the user's turns as an environment block. */
  injectedContext: INJECTED_CONTEXT.kilo,
  unreadableSessions: 'its sessions are in a SQLite database',
  transcriptDir: (env) => dataDir(env),
  transcriptDepth: 0,
  // No session file: the database is not a transcript headroom can read (see above).
  transcriptFile: () => false,
  userTexts: () => transcriptLine([]),
  events: noEvents,
  upstreams: (env) => userProviderBaseUrls(env, KILO_PLACES),
  launch: launchKilo,
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('kilo/'),
  sessionHeaders: ['x-session-id'],
  // A side call without tools (a session title) is not its main conversation; its turns declare tools.
  mainConversation: (r) => r.tools.length > 0,
};

/** Its global files are merged config.json, kilo.json, kilo.jsonc, opencode.json, opencode.jsonc: the last wins. */
const KILO_PLACES: ConfigPlaces = {
  inline: 'KILO_CONFIG_CONTENT',
  folder: 'kilo',
  files: ['opencode.jsonc', 'opencode.json', 'kilo.jsonc', 'kilo.json', 'config.json'],
};

function launchKilo({ proxyUrl, args, env }: LaunchContext): Launch {
  return { args: [...args], env: { KILO_CONFIG_CONTENT: routedInlineConfig(userInlineConfig(env, KILO_PLACES), proxyUrl) } };
}

/** Its data folder (XDG_DATA_HOME/kilo, else ~/.local/share/kilo). */
function dataDir(env: Env): string {
  return env.XDG_DATA_HOME ? join(env.XDG_DATA_HOME, 'kilo') : inHome(env, '.local', 'share', 'kilo');
}

async function* noEvents(_file: string, _counts: ReadCounts): AsyncGenerator<SessionEvent> {}
