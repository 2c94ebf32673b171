import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { LaunchError, type Agent } from './types.js';

/** Gemini CLI: user-agent `GeminiCLI/...` or `GeminiCLI-tui/...`; API-key auth honours GOOGLE_GEMINI_BASE_URL. */
export const gemini: Agent = {
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  instructionFiles: ['GEMINI.md'],
  transcriptDir: (env) => inHome(env, '.gemini', 'tmp'),
  launch: ({ proxyUrl, args, env }) => {
    if (!firstSet(env, 'GEMINI_API_KEY', 'GOOGLE_API_KEY')) {
      throw new LaunchError(
        'Gemini CLI goes through headroom with API-key auth: set GEMINI_API_KEY. (Sign-in with Google talks to ' +
          "Google's Code Assist servers, which headroom does not proxy.)",
      );
    }
    return {
      args: [...args],
      env: { GOOGLE_GEMINI_BASE_URL: proxyUrl },
      upstreams: { gemini: upstreamFromBaseUrl(firstSet(env, 'GOOGLE_GEMINI_BASE_URL')) },
    };
  },
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('GeminiCLI'),
  sessionHeaders: [],
};
