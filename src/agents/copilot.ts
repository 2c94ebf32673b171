import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { INJECTED_CONTEXT } from './injected-context.js';
import { join } from 'node:path';
import { readCopilotEvents } from './copilot-events.js';
import { copilotHome, copilotPluginDataDir, copilotPluginFiles } from './copilot-plugin.js';
import { firstSet, upstreamFromBaseUrl, type Env } from './env.js';
import { copilotTranscriptFile, copilotUserTexts } from './copilot-transcript.js';
import { LaunchError, type Agent, type Launch, type LaunchContext } from './types.js';

const BYOK_HELP =
  "GitHub Copilot CLI's subscription traffic goes to GitHub's own API, which headroom cannot proxy. " +
  'headroom wraps Copilot CLI in its bring-your-own-key mode: set COPILOT_PROVIDER_BASE_URL (your provider, ' +
  'e.g. https://api.openai.com/v1), COPILOT_PROVIDER_API_KEY and, for Anthropic, COPILOT_PROVIDER_TYPE=anthropic, ' +
  'then run `headroom wrap copilot` again.';

const providerType = (env: Env): string => (firstSet(env, 'COPILOT_PROVIDER_TYPE') ?? 'openai').toLowerCase();

/** GitHub Copilot CLI (BYOK): the OpenAI JS client plus Copilot's `x-initiator` / `x-interaction-type`. */
export const copilot: Agent = {
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  install: 'npm install -g @github/copilot',
  instructionFiles: ['AGENTS.md', '.github/copilot-instructions.md'],
  learnFile: 'AGENTS.md',
  /** Copilot CLI puts the current time before each prompt. */
  injectedContext: INJECTED_CONTEXT.copilot,
  transcriptDir: (env) => join(copilotHome(env), 'session-state'),
  transcriptDepth: 1,
  transcriptFile: copilotTranscriptFile,
  userTexts: copilotUserTexts,
  events: readCopilotEvents,
  upstreams: (env) => {
    const base = upstreamFromBaseUrl(firstSet(env, 'COPILOT_PROVIDER_BASE_URL'));
    return providerType(env) === 'anthropic' ? { anthropic: base } : { openai: base };
  },
  launch: launchCopilot,
  sentRequest: (h) => h['x-interaction-type'] !== undefined || h['x-initiator'] !== undefined,
  sessionHeaders: [],
};

/**
 * Routes Copilot CLI (BYOK) through the proxy; its base URLs: OpenAI's includes /v1, Anthropic's
 * does not (the client adds /v1/messages). The source-compression hook comes as a plugin folder
 * for this run only (`--plugin-dir`); Copilot loads every `--plugin-dir` given, so plugin folders
 * the user passes still apply next to it.
 */
function launchCopilot({ proxyUrl, args, env, sourceHook }: LaunchContext): Launch {
  if (!firstSet(env, 'COPILOT_PROVIDER_BASE_URL')) throw new LaunchError(BYOK_HELP);
  const type = providerType(env);
  if (type !== 'openai' && type !== 'anthropic') {
    throw new LaunchError(`COPILOT_PROVIDER_TYPE=${type} is not proxied by headroom (only openai and anthropic are).`);
  }
  const routed = { COPILOT_PROVIDER_BASE_URL: type === 'anthropic' ? proxyUrl : `${proxyUrl}/v1` };
  if (!sourceHook) return { args: [...args], env: routed };
  const dir = join(sourceHook.dir, 'copilot-plugin');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(copilotPluginFiles(sourceHook.command('copilot-post-tool-use')))) {
    writeFileSync(join(dir, name), `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  }
  // Copilot keeps an (empty) data folder for every plugin folder it loaded, under its own home.
  const cleanup = (): void => {
    try {
      rmdirSync(copilotPluginDataDir(env, dir));
    } catch {
      // Not there, or the plugin put something in it: left as it is.
    }
  };
  return { args: ['--plugin-dir', dir, ...args], env: routed, sourceHook: { installed: true }, cleanup };
}
