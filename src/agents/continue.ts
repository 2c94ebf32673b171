import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstSet, inHome } from './env.js';
import { continueTranscriptFile, readContinueEvents } from './continue-events.js';
import { configFlag, readConfig, routedConfig, userConfigPath, userUpstreams } from './continue-config.js';
import { transcriptLine } from './transcript.js';
import type { Agent, Launch, LaunchContext } from './types.js';

/**
 * Continue's CLI (npm `@continuedev/cli`, binary `cn`). Routed for one run by a copy of the
 * user's config file (see continue-config.ts) handed to it with `--config`: its openai models
 * speak Chat Completions (Responses for gpt-5 and o-series models), its anthropic models Messages.
 * Its requests carry no mark of their own (the OpenAI SDK's user-agent under a minified class
 * name; node-fetch for Anthropic) and no session header, so headroom knows them only under wrap.
 *
 * Its sessions are whole JSON documents (~/.continue/sessions/<id>.json, see continue-events.ts),
 * rewritten on every turn and pretty-printed over many lines: `learn` reads each whole (within a
 * size cap). "remember ..." capture does not: it follows complete lines appended to a transcript,
 * and a line of these documents is a fragment of a message that says nothing of who wrote it.
 */
export const continueCli: Agent = {
  name: 'continue',
  title: 'Continue CLI',
  binary: 'cn',
  install: 'npm install -g @continuedev/cli',
  // It reads the first of these in the working folder.
  instructionFiles: ['AGENTS.md', 'AGENT.md', 'CLAUDE.md', 'CODEX.md'],
  learnFile: 'AGENTS.md',
  transcriptDir: (env) => join(firstSet(env, 'CONTINUE_GLOBAL_DIR') ?? inHome(env, '.continue'), 'sessions'),
  transcriptDepth: 0,
  transcriptFile: continueTranscriptFile,
  // No "remember ..." capture from a rewritten document's lines (see above).
  userTexts: () => transcriptLine([]),
  events: readContinueEvents,
  upstreams: (env, args = []) => userUpstreams(args, env),
  launch: launchContinue,
  sentRequest: () => false,
  sessionHeaders: [],
  // Its session title request declares no tools; its turns do.
  mainConversation: (r) => r.tools.length > 0,
};

function launchContinue({ proxyUrl, args, env }: LaunchContext): Launch {
  const path = userConfigPath(args, env);
  const text = routedConfig(readConfig(path), path, proxyUrl);
  // The copy may carry the user's API keys: a folder only they can read, removed after the run.
  const dir = mkdtempSync(join(tmpdir(), 'headroom-continue-'));
  const copy = join(dir, 'config.yaml');
  writeFileSync(copy, text, { mode: 0o600 });
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  return { args: ['--config', copy, ...configFlag(args).rest], env: {}, cleanup };
}
