import { readCopilotEvents } from './copilot-events.js';
import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { copilotTranscriptFile, copilotUserTexts } from './copilot-transcript.js';
import { LaunchError, type Agent } from './types.js';

const BYOK_HELP =
  "GitHub Copilot CLI's subscription traffic goes to GitHub's own API, which headroom cannot proxy. " +
  'headroom wraps Copilot CLI in its bring-your-own-key mode: set COPILOT_PROVIDER_BASE_URL (your provider, ' +
  'e.g. https://api.openai.com/v1), COPILOT_PROVIDER_API_KEY and, for Anthropic, COPILOT_PROVIDER_TYPE=anthropic, ' +
  'then run `headroom wrap copilot` again.';

const providerType = (env: Readonly<Record<string, string | undefined>>): string => (firstSet(env, 'COPILOT_PROVIDER_TYPE') ?? 'openai').toLowerCase();

/** GitHub Copilot CLI (BYOK): the OpenAI JS client plus Copilot's `x-initiator` / `x-interaction-type`. */
export const copilot: Agent = {
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  install: 'npm install -g @github/copilot',
  instructionFiles: ['AGENTS.md', '.github/copilot-instructions.md'],
  transcriptDir: (env) => `${env.COPILOT_HOME || inHome(env, '.copilot')}/session-state`,
  transcriptDepth: 1,
  transcriptFile: copilotTranscriptFile,
  userTexts: copilotUserTexts,
  events: readCopilotEvents,
  upstreams: (env) => {
    const base = upstreamFromBaseUrl(firstSet(env, 'COPILOT_PROVIDER_BASE_URL'));
    return providerType(env) === 'anthropic' ? { anthropic: base } : { openai: base };
  },
  // BYOK base URLs: OpenAI's includes /v1, Anthropic's does not (the client adds /v1/messages).
  launch: ({ proxyUrl, args, env }) => {
    if (!firstSet(env, 'COPILOT_PROVIDER_BASE_URL')) throw new LaunchError(BYOK_HELP);
    const type = providerType(env);
    if (type !== 'openai' && type !== 'anthropic') {
      throw new LaunchError(`COPILOT_PROVIDER_TYPE=${type} is not proxied by headroom (only openai and anthropic are).`);
    }
    return { args: [...args], env: { COPILOT_PROVIDER_BASE_URL: type === 'anthropic' ? proxyUrl : `${proxyUrl}/v1` } };
  },
  sentRequest: (h) => h['x-interaction-type'] !== undefined || h['x-initiator'] !== undefined,
  sessionHeaders: [],
};
