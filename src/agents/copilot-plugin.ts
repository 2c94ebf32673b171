import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { inHome, type Env } from './env.js';
import type { Json } from './transcript.js';

// What launching Copilot CLI with headroom's per-session plugin needs (copilot-hook.ts runs the hook).

/** The files of the session's plugin folder: `plugin.json` naming `hooks.json`, one postToolUse hook running `command`. */
export function copilotPluginFiles(command: string): Record<'plugin.json' | 'hooks.json', Json> {
  return {
    'plugin.json': { name: 'headroom', version: '1.0.0', description: 'headroom: big command outputs compressed for the model', hooks: 'hooks.json' },
    'hooks.json': { version: 1, hooks: { postToolUse: [{ type: 'command', bash: command, timeoutSec: 120 }] } },
  };
}

/**
 * Copilot keeps a folder per plugin folder under its home, `plugin-data/_direct/<sha256 of the
 * plugin's source>`, and leaves it there (empty) after the run: the one to remove with the session.
 */
export function copilotPluginDataDir(env: NodeJS.ProcessEnv, pluginDir: string): string {
  const id = createHash('sha256').update(JSON.stringify({ source: 'local', path: pluginDir })).digest('hex');
  return join(copilotHome(env), 'plugin-data', '_direct', id);
}

/** Copilot CLI's own folder: COPILOT_HOME, else ~/.copilot. */
export function copilotHome(env: Env): string {
  return env.COPILOT_HOME || inHome(env, '.copilot');
}
