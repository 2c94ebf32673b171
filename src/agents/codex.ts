import { readCodexEvents } from './codex-events.js';
import { firstSet, inHome } from './env.js';
import { codexTranscriptFile, codexUserTexts } from './codex-transcript.js';
import { LaunchError, type Agent } from './types.js';

/**
 * Codex CLI: user-agent `codex_exec/...` or `codex_cli_rs/...`, session in `session-id`.
 * Current Codex ignores OPENAI_BASE_URL, so it is routed with `-c` overrides that define a
 * provider for this run only (the user's config.toml is not touched). WebSockets are off
 * because the proxy speaks HTTP + SSE.
 */
export const codex: Agent = {
  name: 'codex',
  title: 'Codex CLI',
  binary: 'codex',
  install: 'npm install -g @openai/codex',
  instructionFiles: ['AGENTS.override.md', 'AGENTS.md'],
  transcriptDir: (env) => `${env.CODEX_HOME || inHome(env, '.codex')}/sessions`,
  transcriptDepth: 3,
  transcriptFile: codexTranscriptFile,
  userTexts: codexUserTexts,
  events: readCodexEvents,
  // Codex ignores OPENAI_BASE_URL; its upstream is the OpenAI default or --openai-upstream.
  upstreams: () => ({}),
  launch: ({ proxyUrl, args, env }) => {
    if (!firstSet(env, 'OPENAI_API_KEY')) {
      throw new LaunchError(
        'Codex goes through headroom with API-key auth: set OPENAI_API_KEY. (Sign-in with ChatGPT talks to ' +
          "chatgpt.com's own backend, which headroom does not proxy.)",
      );
    }
    const provider = `{name="headroom", base_url="${proxyUrl}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=false}`;
    return {
      args: ['-c', 'model_provider="headroom"', '-c', `model_providers.headroom=${provider}`, ...args],
      env: {},
    };
  },
  sentRequest: (h) => /^codex_/.test(String(h['user-agent'] ?? '')) || h.originator !== undefined,
  sessionHeaders: ['session-id', 'thread-id'],
};
