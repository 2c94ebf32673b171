import * as fs from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './build-dist.js';

/** The labelled `headroom learn` scenario the real CLIs recorded (see fixtures/sessions/README.md). */
export const LEARN_FIXTURES = join(ROOT, 'fixtures/sessions/learn');

/** The project folder the recordings worked in (a temp folder of the recording run). */
const RECORDED_PROJECT = /\/tmp\/headroom-learn[-A-Za-z0-9]*\/project/g;

/** Where each agent keeps its transcripts under a home folder, for a fixture file at `rel` in the agent's fixture folder. */
const PLACES: Record<string, (rel: string) => string | undefined> = {
  claude: (rel) => join('.claude/projects/-project', rel.replace(/^subagent-session\//, '')),
  codex: (rel) => join('.codex/sessions/2026/11/21', `rollout-${rel}`),
  copilot: (rel) => join('.copilot/session-state', rel),
  gemini: (rel) => join('.gemini/tmp', rel),
};

/**
 * Puts the recorded transcripts where the agents keep them under `home` (Aider's history in the
 * project), with the recorded working directory replaced by `project`, so `headroom learn` run
 * in `project` with HOME=`home` reads them as that project's sessions.
 */
export function installLearnFixtures(home: string, project: string, agents = ['claude', 'codex', 'copilot', 'gemini', 'aider']): void {
  for (const agent of agents) {
    const dir = join(LEARN_FIXTURES, agent);
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || entry.name === 'paths.txt') continue;
      const src = join(entry.parentPath, entry.name);
      const rel = relative(dir, src);
      const dest = agent === 'aider' ? join(project, rel) : join(home, PLACES[agent]!(rel)!);
      fs.mkdirSync(dirname(dest), { recursive: true });
      fs.writeFileSync(dest, fs.readFileSync(src, 'utf8').replace(RECORDED_PROJECT, project));
    }
  }
}
