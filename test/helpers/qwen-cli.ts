import { spawnAgent, withDirs, sandboxTmp, type AgentRun, type AgentRunOptions } from './agent-cli.js';

export interface QwenRunOptions extends AgentRunOptions {
  /** Its auth type: openai (Chat Completions, the default) or anthropic (Messages). */
  authType?: 'openai' | 'anthropic';
}

/** What the offline Qwen Code runs share, whether run directly or under `headroom wrap`. */
export const QWEN_OFFLINE_ENV: Record<string, string> = {
  OPENAI_API_KEY: 'dummy',
  OPENAI_MODEL: 'gpt-fake',
  ANTHROPIC_API_KEY: 'dummy',
  ANTHROPIC_MODEL: 'claude-fake',
  // It warns on every headless --yolo run without a sandbox.
  QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
  // Otherwise it sends usage statistics to Alibaba Cloud's RUM service.
  QWEN_USAGE_STATISTICS_ENABLED: 'false',
};

/** Its base URLs pointed at `baseUrl` (a direct run; under wrap, wrap sets them). */
export function qwenDirectEnv(baseUrl: string): Record<string, string> {
  return { OPENAI_BASE_URL: `${baseUrl}/v1`, ANTHROPIC_BASE_URL: baseUrl };
}

/**
 * Qwen Code headless (`qwen --auth-type T --yolo <prompt>`), API keys dummy, its base URLs pointed
 * at baseUrl (directly) or left to `headroom wrap` (wrap.env then names the proxy's upstream).
 * --yolo: its shell tool runs without asking.
 */
export async function runQwen(opts: QwenRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const env: Record<string, string> = {
      ...QWEN_OFFLINE_ENV,
      ...(opts.wrap ? {} : qwenDirectEnv(opts.baseUrl)),
      TMPDIR: sandboxTmp(home),
      ...opts.env,
    };
    const args = ['--auth-type', opts.authType ?? 'openai', '--yolo', ...(opts.args ?? []), opts.prompt];
    return spawnAgent('qwen', args, { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}
