import { spawnAgent, withDirs, sandboxTmp, type AgentRun, type AgentRunOptions } from './agent-cli.js';
import { opencodeDirectConfig } from './opencode-cli.js';

/** What the offline Kilo Code runs share, whether run directly or under `headroom wrap`. */
export const KILO_OFFLINE_ENV: Record<string, string> = {
  ANTHROPIC_API_KEY: 'dummy',
  OPENAI_API_KEY: 'dummy',
  // Otherwise it fetches its model list from models.dev and sends usage events to PostHog.
  KILO_DISABLE_MODELS_FETCH: '1',
  KILO_TELEMETRY_LEVEL: 'off',
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_DISABLE_SHARE: '1',
  // No LSP servers downloaded for the files it touches.
  KILO_DISABLE_LSP_DOWNLOAD: '1',
};

/**
 * What Kilo Code tries to reach at every start whatever its settings (its Kilo Gateway's model
 * list); the run's HTTPS_PROXY refuses it, as it would be refused offline.
 */
export const KILO_GATEWAY = 'api.kilo.ai:443';

/** The inline config (KILO_CONFIG_CONTENT) of a direct run: opencode's format, its providers at `baseUrl`. */
export const kiloDirectConfig = opencodeDirectConfig;

export interface KiloRunOptions extends AgentRunOptions {
  /** `-m provider/model`; default anthropic/claude-sonnet-4-5. */
  model?: string;
}

/**
 * Kilo Code non-interactively (`kilo run --auto -m M <prompt>`), API keys dummy, its anthropic and
 * openai providers pointed at baseUrl (directly) or left to `headroom wrap` (wrap.env then names
 * the proxy's upstream). --auto: its tools run without asking.
 */
export async function runKilo(opts: KiloRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const env: Record<string, string> = {
      ...KILO_OFFLINE_ENV,
      ...(opts.wrap ? {} : { KILO_CONFIG_CONTENT: kiloDirectConfig(opts.baseUrl) }),
      TMPDIR: sandboxTmp(home),
      ...opts.env,
    };
    const args = ['run', '--auto', '-m', opts.model ?? 'anthropic/claude-sonnet-4-5', ...(opts.args ?? []), opts.prompt];
    return spawnAgent('kilo', args, { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}
