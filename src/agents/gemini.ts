import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { LaunchError, type Agent } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where Gemini CLI reads its system settings (the layer that overrides the user's). */
function systemSettingsPath(env: Env): string {
  if (env.GEMINI_CLI_SYSTEM_SETTINGS_PATH) return env.GEMINI_CLI_SYSTEM_SETTINGS_PATH;
  if (process.platform === 'darwin') return '/Library/Application Support/GeminiCli/settings.json';
  return '/etc/gemini-cli/settings.json';
}

/**
 * The machine's system settings with the auth type set to the Gemini API key, written to the
 * session directory. With GOOGLE_GEMINI_BASE_URL set, Gemini CLI would otherwise pick its
 * "gateway" auth type, which it refuses in prompt mode; the user's own files stay as they are.
 */
function sessionSystemSettings(env: Env, sessionDir: string): Record<string, string> {
  const original = systemSettingsPath(env);
  let settings: Record<string, unknown> = {};
  if (existsSync(original)) {
    try {
      settings = JSON.parse(readFileSync(original, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new LaunchError(`cannot read Gemini CLI's system settings ${original} (${(err as Error).message}); headroom layers its auth setting on top of them`);
    }
  }
  const security = { ...(settings.security as Record<string, unknown> | undefined) };
  security.auth = { ...(security.auth as Record<string, unknown> | undefined), selectedType: 'gemini-api-key' };
  const file = join(sessionDir, 'gemini-system-settings.json');
  writeFileSync(file, JSON.stringify({ ...settings, security }, null, 2), { mode: 0o600 });
  return {
    GEMINI_CLI_SYSTEM_SETTINGS_PATH: file,
    // Its system defaults are found next to the system settings unless named: keep the real ones.
    GEMINI_CLI_SYSTEM_DEFAULTS_PATH: env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH || join(dirname(original), 'system-defaults.json'),
  };
}

/** Gemini CLI: user-agent `GeminiCLI/...` or `GeminiCLI-tui/...`; API-key auth honours GOOGLE_GEMINI_BASE_URL. */
export const gemini: Agent = {
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  instructionFiles: ['GEMINI.md'],
  transcriptDir: (env) => inHome(env, '.gemini', 'tmp'),
  upstreams: (env) => ({ gemini: upstreamFromBaseUrl(firstSet(env, 'GOOGLE_GEMINI_BASE_URL')) }),
  launch: ({ proxyUrl, args, env, sessionDir }) => {
    if (!firstSet(env, 'GEMINI_API_KEY')) {
      throw new LaunchError(
        'Gemini CLI goes through headroom with API-key auth: set GEMINI_API_KEY. (Sign-in with Google and Vertex AI ' +
          "talk to Google's own backends, which headroom does not proxy.)",
      );
    }
    return { args: [...args], env: { GOOGLE_GEMINI_BASE_URL: proxyUrl, ...sessionSystemSettings(env, sessionDir) } };
  },
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('GeminiCLI'),
  sessionHeaders: [],
};
