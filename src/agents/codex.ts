import { chmodSync, writeFileSync } from 'node:fs';
import { INJECTED_CONTEXT } from './injected-context.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codexHookRefusal } from './codex-args.js';
import { readCodexEvents } from './codex-events.js';
import { codexHookOverrides, codexLauncherScript } from './codex-hook.js';
import { firstSet, inHome } from './env.js';
import { codexTranscriptFile, codexUserTexts } from './codex-transcript.js';
import { shellQuote } from './shell-commands.js';
import { LaunchError, type Agent, type Launch, type LaunchContext, type ModelRequestView } from './types.js';

/**
 * Codex CLI: user-agent `codex_exec/...` or `codex_cli_rs/...`, session in `session-id`.
 * Current Codex ignores OPENAI_BASE_URL, so it is routed with `-c` overrides that define a
 * provider for this run only (the user's config.toml is not touched). The provider keeps
 * Codex's default transport, the Responses WebSocket, which the proxy accepts (src/proxy/websocket.ts).
 * Codex runs `-c` overrides only in its embedded mode, never through its shared background
 * server, and says so at every start unless asked for that mode with `--no-daemon`, which wrap does.
 */
export const codex: Agent = {
  name: 'codex',
  title: 'Codex CLI',
  binary: 'codex',
  install: 'npm install -g @openai/codex',
  instructionFiles: ['AGENTS.override.md', 'AGENTS.md'],
  learnFile: 'AGENTS.md',
  /** Codex opens a conversation with its environment, the user's instructions and AGENTS.md as user text. */
  injectedContext: INJECTED_CONTEXT.codex,
  transcriptDir: (env) => `${env.CODEX_HOME || inHome(env, '.codex')}/sessions`,
  transcriptDepth: 3,
  transcriptFile: codexTranscriptFile,
  userTexts: codexUserTexts,
  events: readCodexEvents,
  // Codex ignores OPENAI_BASE_URL; its upstream is the OpenAI default or --openai-upstream.
  upstreams: () => ({}),
  launch: launchCodex,
  sentRequest: (h) => /^codex_/.test(String(h['user-agent'] ?? '')) || h.originator !== undefined,
  sessionHeaders: ['session-id', 'thread-id'],
  mainConversation: codexMainConversation,
};

/**
 * Codex says where a request comes from in `x-codex-turn-metadata` (JSON): `thread_source` is
 * "user" for the thread the user types in, "thread_title" for the background title request
 * (which declares the same tools). Without that header: a request with tools.
 */
function codexMainConversation({ tools, headers }: ModelRequestView): boolean {
  const meta = headers['x-codex-turn-metadata'];
  if (typeof meta === 'string') {
    try {
      const source = (JSON.parse(meta) as { thread_source?: unknown }).thread_source;
      if (typeof source === 'string') return source === 'user';
    } catch {
      // Not JSON: judged by its tools.
    }
  }
  return tools.length > 0;
}

/**
 * Routes Codex through the proxy with a provider defined for this run, and, where it is safe (see
 * codexHookRefusal), adds the per-session PreToolUse hook that runs big commands through
 * `headroom exec` (codex-hook.ts), with the launcher it points them at in the session folder.
 */
function launchCodex({ proxyUrl, args, env, sourceHook }: LaunchContext): Launch {
  if (!firstSet(env, 'OPENAI_API_KEY')) {
    throw new LaunchError(
      'Codex goes through headroom with API-key auth: set OPENAI_API_KEY. (Sign-in with ChatGPT talks to ' +
        "chatgpt.com's own backend, which headroom does not proxy.)",
    );
  }
  const provider = `{name="headroom", base_url="${proxyUrl}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=true}`;
  const route = ['-c', 'model_provider="headroom"', '-c', `model_providers.headroom=${provider}`];
  // Given twice, the flag is an error.
  const user = args.includes('--no-daemon') ? args : ['--no-daemon', ...args];
  if (!sourceHook) return { args: [...route, ...user], env: {} };
  const why = codexHookRefusal(args);
  if (why) return { args: [...route, ...user], env: {}, sourceHook: { installed: false, why } };
  const launcher = join(sourceHook.dir, 'codex-headroom');
  writeFileSync(launcher, codexLauncherScript(process.execPath, CLI), { mode: 0o700 });
  chmodSync(launcher, 0o700);
  const hook = `HEADROOM_CODEX_LAUNCHER=${shellQuote(launcher)} ${sourceHook.command('codex-pre-tool-use')}`;
  return { args: [...route, ...codexHookOverrides(hook), ...user], env: {}, sourceHook: { installed: true } };
}

/** headroom's own CLI, which the launcher runs (dist/cli.js beside dist/agents/). */
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
