import { readGeminiEvents } from './gemini-events.js';
import { INJECTED_CONTEXT } from './injected-context.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstSet, inHome, upstreamFromBaseUrl, type Env } from './env.js';
import { geminiTranscriptFile, geminiUserTexts } from './gemini-transcript.js';
import { LaunchError, type Agent } from './types.js';
import { stripBom } from '../utf8-bom.js';

/** The user's Gemini CLI settings file (GEMINI_CLI_HOME moves the home it lives in). */
function userSettingsPath(env: Env): string {
  return env.GEMINI_CLI_HOME ? join(env.GEMINI_CLI_HOME, '.gemini', 'settings.json') : inHome(env, '.gemini', 'settings.json');
}

/**
 * The auth type the user selected, if the settings can be read. Gemini CLI allows comments in
 * its settings; a file this cannot parse counts as unknown.
 */
function selectedAuthType(env: Env): string | undefined {
  try {
    const text = stripBom(readFileSync(userSettingsPath(env), 'utf8')).replace(/^\s*\/\/.*$/gm, '');
    const settings = JSON.parse(text) as { security?: { auth?: { selectedType?: unknown } } };
    const t = settings.security?.auth?.selectedType;
    return typeof t === 'string' ? t : 'none';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : undefined;
  }
}

/**
 * Gemini CLI: user-agent `GeminiCLI/...` or `GeminiCLI-tui/...`. Its API-key auth honours
 * GOOGLE_GEMINI_BASE_URL, but with that variable set and no auth type selected in the user's
 * settings it picks a "gateway" auth type that its prompt mode refuses. Interactive, it asks
 * (with the API key preselected) and remembers the answer; in prompt mode headroom says what
 * to set instead of letting it fail. (System settings could select it per session, but Gemini
 * CLI reads those only from a root-owned path.)
 */
export const gemini: Agent = {
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  instructionFiles: ['GEMINI.md'],
  learnFile: 'GEMINI.md',
  /** Gemini CLI opens a conversation with its session context as user text. */
  injectedContext: INJECTED_CONTEXT.gemini,
  transcriptDir: (env) => inHome(env, '.gemini', 'tmp'),
  transcriptDepth: 2,
  transcriptFile: geminiTranscriptFile,
  userTexts: geminiUserTexts,
  events: readGeminiEvents,
  upstreams: (env) => ({ gemini: upstreamFromBaseUrl(firstSet(env, 'GOOGLE_GEMINI_BASE_URL')) }),
  launch: ({ proxyUrl, args, env, interactive }) => {
    if (!firstSet(env, 'GEMINI_API_KEY')) {
      throw new LaunchError(
        'Gemini CLI goes through headroom with API-key auth: set GEMINI_API_KEY. (Sign-in with Google and Vertex AI ' +
          "talk to Google's own backends, which headroom does not proxy.)",
      );
    }
    const selected = selectedAuthType(env);
    if (!interactive && selected !== undefined && selected !== 'gemini-api-key') {
      throw new LaunchError(
        `Gemini CLI must be set to API-key auth to run through headroom without a terminal: set "security": {"auth": ` +
          `{"selectedType": "gemini-api-key"}} in ${userSettingsPath(env)} (or run \`headroom wrap gemini\` once in a terminal ` +
          'and choose "Use Gemini API Key").',
      );
    }
    return { args: [...args], env: { GOOGLE_GEMINI_BASE_URL: proxyUrl } };
  },
  sentRequest: (h) => String(h['user-agent'] ?? '').startsWith('GeminiCLI'),
  sessionHeaders: [],
  // Its routing call and the summary of the previous session declare no tools; its turns do.
  mainConversation: (r) => r.tools.length > 0,
};
