import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './build-dist.js';

/** Where scripts/install-agents.mjs put the real agent CLIs. */
export const AGENTS_DIR = resolve(process.env.HEADROOM_AGENTS_DIR ?? join(ROOT, '.cache/agents'));

/** Absolute path of an installed agent CLI's executable (claude, codex, copilot, gemini). */
export function agentBin(binary: string): string {
  const path = join(AGENTS_DIR, 'node_modules/.bin', binary);
  if (!fs.existsSync(path)) throw new Error(`${binary} is not installed in ${AGENTS_DIR}: run \`node scripts/install-agents.mjs\` (npm test does)`);
  return path;
}
