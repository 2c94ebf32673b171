import { spawnAgent, withDirs, sandboxTmp, type AgentRun, type AgentRunOptions } from './agent-cli.js';

/** What the offline opencode runs share, whether run directly or under `headroom wrap`. */
export const OPENCODE_OFFLINE_ENV: Record<string, string> = {
  ANTHROPIC_API_KEY: 'dummy',
  OPENAI_API_KEY: 'dummy',
  // Otherwise it fetches its model list from models.dev and looks for updates at start.
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_SHARE: '1',
  // No LSP servers downloaded for the files it touches.
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
};

/** The inline config that points opencode's anthropic and openai providers at `baseUrl` (a direct run). */
export function opencodeDirectConfig(baseUrl: string): string {
  const options = { options: { baseURL: `${baseUrl}/v1` } };
  return JSON.stringify({ provider: { anthropic: options, openai: options } });
}

export interface OpencodeRunOptions extends AgentRunOptions {
  /** `-m provider/model`; default anthropic/claude-sonnet-4-5 (its small model, for titles, is Claude Haiku). */
  model?: string;
}

/**
 * opencode non-interactively (`opencode run -m M <prompt>`), API keys dummy, its anthropic and
 * openai providers pointed at baseUrl (directly) or left to `headroom wrap` (wrap.env then names
 * the proxy's upstream). Its tools run without asking in `run` mode.
 */
export async function runOpencode(opts: OpencodeRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const env: Record<string, string> = {
      ...OPENCODE_OFFLINE_ENV,
      ...(opts.wrap ? {} : { OPENCODE_CONFIG_CONTENT: opencodeDirectConfig(opts.baseUrl) }),
      TMPDIR: sandboxTmp(home),
      ...opts.env,
    };
    const args = ['run', '-m', opts.model ?? 'anthropic/claude-sonnet-4-5', ...(opts.args ?? []), opts.prompt];
    return spawnAgent('opencode', args, { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}
