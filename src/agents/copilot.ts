import { firstSet, inHome, upstreamFromBaseUrl } from './env.js';
import { LaunchError, type Agent } from './types.js';

const BYOK_HELP =
  "GitHub Copilot CLI's subscription traffic goes to GitHub's own API, which headroom cannot proxy. " +
  'headroom wraps Copilot CLI in its bring-your-own-key mode: set COPILOT_PROVIDER_BASE_URL (your provider, ' +
  'e.g. https://api.openai.com/v1), COPILOT_PROVIDER_API_KEY and, for Anthropic, COPILOT_PROVIDER_TYPE=anthropic, ' +
  'then run `headroom wrap copilot` again.';

/** GitHub Copilot CLI (BYOK): the OpenAI JS client plus Copilot's `x-initiator` / `x-interaction-type`. */
export const copilot: Agent = {
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  install: 'npm install -g @github/copilot',
  instructionFiles: ['AGENTS.md', '.github/copilot-instructions.md'],
  transcriptDir: (env) => `${env.COPILOT_HOME || inHome(env, '.copilot')}/session-state`,
  launch: ({ proxyUrl, args, env }) => {
    const base = firstSet(env, 'COPILOT_PROVIDER_BASE_URL');
    if (!base) throw new LaunchError(BYOK_HELP);
    const type = (firstSet(env, 'COPILOT_PROVIDER_TYPE') ?? 'openai').toLowerCase();
    if (type === 'anthropic') {
      return { args: [...args], env: { COPILOT_PROVIDER_BASE_URL: proxyUrl }, upstreams: { anthropic: upstreamFromBaseUrl(base) } };
    }
    if (type !== 'openai') {
      throw new LaunchError(`COPILOT_PROVIDER_TYPE=${type} is not proxied by headroom (only openai and anthropic are).`);
    }
    return { args: [...args], env: { COPILOT_PROVIDER_BASE_URL: `${proxyUrl}/v1` }, upstreams: { openai: upstreamFromBaseUrl(base) } };
  },
  sentRequest: (h) => h['x-interaction-type'] !== undefined || h['x-initiator'] !== undefined,
  sessionHeaders: [],
};
