import * as fs from 'node:fs';
import { join } from 'node:path';
import { spawnAgent, withDirs, sandboxTmp, type AgentRun, type AgentRunOptions } from './agent-cli.js';
import { ROOT } from './build-dist.js';

/** Where Continue's CLI looks up its latest version at every start (its own fetch, whatever the proxy settings). */
export const CONTINUE_VERSION_CHECK = 'https://api.continue.dev/cn/info?';

/**
 * What the offline runs of Continue's CLI (`cn`) share, whether run directly or under `headroom
 * wrap`. Its version check uses Node's fetch, which ignores HTTPS_PROXY: a preloaded guard refuses
 * every non-loopback fetch and writes its URL to `outboundLog`.
 */
export function continueOfflineEnv(outboundLog: string): Record<string, string> {
  return {
    NODE_OPTIONS: `--require ${JSON.stringify(join(ROOT, 'test/helpers/loopback-fetch.cjs'))}`,
    HEADROOM_TEST_OUTBOUND_LOG: outboundLog,
    // Its hub API (assistants, login): refused at once.
    CONTINUE_API_BASE: 'http://127.0.0.1:9/',
    CONTINUE_CLI_ENABLE_TELEMETRY: '0',
  };
}

/**
 * Writes the user's config, ~/.continue/config.yaml in `home`: one model of `provider` (openai:
 * gpt-fake, anthropic: claude-fake) at `baseUrl`, its key from ~/.continue/.env as a secret.
 */
export function writeContinueConfig(home: string, baseUrl: string, provider: 'openai' | 'anthropic'): string {
  const dir = join(home, '.continue');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(join(dir, '.env'), 'FAKE_API_KEY=dummy\n');
  // As for someone who has used cn before: otherwise its terminal UI, without --config, first asks for an Anthropic key.
  fs.writeFileSync(join(dir, '.onboarding_complete'), '2026-12-01T00:00:00.000Z');
  const model = provider === 'openai' ? 'gpt-fake' : 'claude-fake';
  const config = [
    'name: Offline',
    'version: 1.0.0',
    'schema: v1',
    'models:',
    `  - name: ${model}`,
    `    provider: ${provider}`,
    `    model: ${model}`,
    `    apiBase: ${baseUrl}/v1/`,
    '    apiKey: ${{ secrets.FAKE_API_KEY }}',
    '    roles: [chat]',
    '',
  ].join('\n');
  const path = join(dir, 'config.yaml');
  fs.writeFileSync(path, config);
  return path;
}

export interface ContinueRunOptions extends AgentRunOptions {
  /** The provider of its one model; default openai (Chat Completions). */
  provider?: 'openai' | 'anthropic';
}

/**
 * Continue's CLI headless (`cn -p --auto <prompt>`: its tools run without asking), its model at
 * baseUrl in the sandbox home's ~/.continue/config.yaml, read by cn itself (directly) or routed by
 * `headroom wrap` (whose upstream becomes that base URL). The non-loopback URLs it fetched join
 * `outbound`.
 */
export async function runContinue(opts: ContinueRunOptions): Promise<AgentRun> {
  return withDirs(opts, async (home, cwd) => {
    writeContinueConfig(home, opts.baseUrl, opts.provider ?? 'openai');
    const outboundLog = join(sandboxTmp(home), 'outbound.log');
    const env = { ...continueOfflineEnv(outboundLog), TMPDIR: sandboxTmp(home), ...opts.env };
    const args = ['-p', '--auto', ...(opts.args ?? []), opts.prompt];
    const run = await spawnAgent('continue', args, { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap, binary: 'cn' });
    const fetched = fs.existsSync(outboundLog) ? fs.readFileSync(outboundLog, 'utf8').split('\n').filter(Boolean) : [];
    return { ...run, outbound: [...run.outbound, ...fetched] };
  });
}
