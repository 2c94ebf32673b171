import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstSet } from './env.js';
import { clineTranscriptFile, readClineEvents } from './cline-events.js';
import { clineDataDir, providerInUse, routedProviders, userProviderBaseUrls, userProviders, userSettingsPaths } from './cline-settings.js';
import { transcriptLine } from './transcript.js';
import { LaunchError, type Agent, type Launch, type LaunchContext } from './types.js';

/**
 * Cline's CLI (npm `cline`, 3.x: a compiled Bun binary). Its requests carry the AI SDK's
 * user-agent (`ai-sdk/<provider>/… runtime/bun/…`), nothing of its own, and no session header.
 *
 * Routed for one run by Cline's sandbox mode (CLINE_SANDBOX=1, CLINE_SANDBOX_DATA_DIR): its data
 * folder for the run is a fresh one holding a copy of the user's providers.json in which the
 * provider in use points at the proxy (anthropic: Messages; openai-compatible: Chat Completions;
 * openai-native: Responses), and linking to the user's sessions and their index. The user's
 * global and MCP settings are still read from their own files. Sandbox mode also keeps Cline in one process: otherwise its terminal UI runs its sessions
 * in a background "hub" daemon it finds (one the user's own runs started, which sends the requests
 * with the user's providers, past the proxy) or starts one, which outlives the run.
 *
 * Its sessions (<data folder>/sessions/<id>/<id>.messages.json, see cline-events.ts) are single
 * JSON documents rewritten whole as the conversation grows, pretty-printed over many lines:
 * `learn` reads each whole (within a size cap). "remember ..." capture does not: it follows
 * complete lines appended to a transcript, and a line of these documents is a fragment of a
 * message that says nothing of who wrote it. No source hook: its tool hooks (PreToolUse, PostToolUse) can add context or cancel a
 * call, not replace a command or its output.
 */
export const cline: Agent = {
  name: 'cline',
  title: 'Cline',
  binary: 'cline',
  install: 'npm install -g cline',
  instructionFiles: ['.clinerules', 'AGENTS.md'],
  learnFile: 'AGENTS.md',
  transcriptDir: (env) => join(clineDataDir(env), 'sessions'),
  transcriptDepth: 1,
  transcriptFile: clineTranscriptFile,
  // No "remember ..." capture from a rewritten document's lines (see above).
  userTexts: () => transcriptLine([]),
  events: readClineEvents,
  upstreams: (env) => userProviderBaseUrls(env),
  launch: launchCline,
  sentRequest: () => false,
  sessionHeaders: [],
};

/** Options that would move Cline to another data folder or to its hub, away from the run's own. */
const REFUSED = ['--data-dir', '--config', '-z', '--zen'];

function launchCline({ proxyUrl, args, env, sourceHook }: LaunchContext): Launch {
  const refused = args.find((a) => REFUSED.includes(a.split('=')[0]!));
  if (refused !== undefined) throw new LaunchError(`headroom runs Cline in a data folder of its own for the run: ${refused} cannot be used under \`headroom wrap cline\`.`);
  if (firstSet(env, 'CLINE_SANDBOX', 'CLINE_SANDBOX_DATA_DIR')) throw new LaunchError('headroom runs Cline in a sandbox of its own for the run: unset CLINE_SANDBOX and CLINE_SANDBOX_DATA_DIR.');
  const user = userProviders(env);
  const providers = routedProviders(user, providerInUse(args, user), proxyUrl);
  // In the session folder when there is one (removed with it, and swept if headroom dies), else a temp folder.
  const dataDir = sourceHook ? join(sourceHook.dir, 'cline-data') : mkdtempSync(join(tmpdir(), 'headroom-cline-'));
  mkdirSync(join(dataDir, 'settings'), { recursive: true, mode: 0o700 });
  // It holds the user's API keys.
  writeFileSync(join(dataDir, 'settings', 'providers.json'), providers, { mode: 0o600 });
  const own = userSettingsPaths(env);
  // Its sessions and their index stay the user's: the run's folder links to theirs, so a session
  // run under headroom is in Cline's history and resumable (--id) without headroom too.
  const userData = clineDataDir(env);
  for (const kept of ['db', 'sessions', 'teams']) {
    mkdirSync(join(userData, kept), { recursive: true });
    symlinkSync(join(userData, kept), join(dataDir, kept));
  }
  // Which notices (ClinePass, Cline Desktop) the user has seen, so they are not shown again in the run.
  try {
    copyFileSync(join(clineDataDir(env), 'settings', 'cli-notices.json'), join(dataDir, 'settings', 'cli-notices.json'));
  } catch {
    // None seen yet.
  }
  return {
    args: [...args],
    env: {
      CLINE_SANDBOX: '1',
      CLINE_SANDBOX_DATA_DIR: dataDir,
      CLINE_GLOBAL_SETTINGS_PATH: own.global,
      CLINE_MCP_SETTINGS_PATH: own.mcp,
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
