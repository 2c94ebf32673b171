import * as fs from 'node:fs';
import { join } from 'node:path';
import { spawnAgent, withDirs, sandboxTmp, type AgentRun, type AgentRunOptions } from './agent-cli.js';

/** The Cline providers the tests drive, by the wire format each speaks. */
export type ClineProvider = 'anthropic' | 'openai-compatible' | 'openai-native';

/** What the offline Cline runs share, whether run directly or under `headroom wrap`. */
export const CLINE_OFFLINE_ENV: Record<string, string> = {
  // Otherwise it fetches its feature flags from PostHog (data.cline.bot) at every start.
  E2E_TEST: 'true',
  CLINE_NO_AUTO_UPDATE: '1',
};

/**
 * A user's Cline set up in `home`: `provider` (key dummy, no base URL: headroom's to route) last
 * used, and telemetry off (otherwise it sends OpenTelemetry to otel.cline.bot).
 */
export function writeClineUser(home: string, provider: ClineProvider, model = 'fake-model'): void {
  const settings = join(home, '.cline', 'data', 'settings');
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(join(settings, 'providers.json'), providersFile(provider, model));
  fs.writeFileSync(join(settings, 'global-settings.json'), JSON.stringify({ telemetryOptOut: true, autoUpdateEnabled: false }));
}

function providersFile(provider: ClineProvider, model: string, baseUrl?: string): string {
  const settings = { provider, apiKey: 'dummy', model, ...(baseUrl ? { baseUrl } : {}) };
  return JSON.stringify({ version: 1, lastUsedProvider: provider, modes: {}, providers: { [provider]: { settings, updatedAt: '2026-12-01T00:00:00.000Z', tokenSource: 'manual' } } });
}

/**
 * The environment of a direct run: Cline in sandbox mode as headroom runs it, its data folder
 * `dataDir` holding providers.json with `provider` pointed at baseUrl.
 */
export function clineDirectEnv(home: string, dataDir: string, provider: ClineProvider, baseUrl: string): Record<string, string> {
  fs.mkdirSync(join(dataDir, 'settings'), { recursive: true });
  fs.writeFileSync(join(dataDir, 'settings', 'providers.json'), providersFile(provider, 'fake-model', `${baseUrl}/v1`));
  const own = join(home, '.cline', 'data', 'settings');
  return { CLINE_SANDBOX: '1', CLINE_SANDBOX_DATA_DIR: dataDir, CLINE_GLOBAL_SETTINGS_PATH: join(own, 'global-settings.json') };
}

export interface ClineRunOptions extends AgentRunOptions {
  /** Default openai-compatible (Chat Completions). */
  provider?: ClineProvider;
}

/**
 * Cline headless (`cline <prompt>`: act mode, its tools approved), its provider pointed at baseUrl
 * (directly) or left to `headroom wrap` (wrap.env then names the proxy's upstream).
 */
export async function runCline(opts: ClineRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const provider = opts.provider ?? 'openai-compatible';
    writeClineUser(home, provider);
    const env: Record<string, string> = {
      ...CLINE_OFFLINE_ENV,
      ...(opts.wrap ? {} : clineDirectEnv(home, join(home, 'cline-data'), provider, opts.baseUrl)),
      TMPDIR: sandboxTmp(home),
      ...opts.env,
    };
    return spawnAgent('cline', [...(opts.args ?? []), opts.prompt], { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}
