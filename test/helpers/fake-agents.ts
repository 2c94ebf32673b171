import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-dist.js';

const FAKE_AGENT = join(ROOT, 'test/helpers/fake-agent.mjs');
const AGENT_NAMES = ['claude', 'codex', 'copilot', 'gemini', 'aider'] as const;

/**
 * A directory with one executable per agent name (claude, codex, ...), each running the fake
 * agent as that agent. Put it first on PATH and `headroom wrap <agent>` finds it there.
 */
export function fakeAgentBin(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-fake-bin-'));
  for (const name of AGENT_NAMES) {
    const file = join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --as ${name} "$@"\n`, { mode: 0o755 });
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
