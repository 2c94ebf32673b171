import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export { ConfigError };

/** Where headroom keeps its state. Tests point HEADROOM_HOME at a temp dir. */
export function headroomHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HEADROOM_HOME && env.HEADROOM_HOME.length > 0 ? env.HEADROOM_HOME : join(homedir(), '.headroom');
}

/** Directory of the CCR store: originals of what compression dropped. */
export function ccrDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(headroomHome(env), 'ccr');
}

const DEFAULT_CCR_TTL_HOURS = 24;

/** How long a stored original stays retrievable (HEADROOM_CCR_TTL_HOURS, default 24). */
export function ccrTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HEADROOM_CCR_TTL_HOURS;
  const hours = raw === undefined || raw === '' ? DEFAULT_CCR_TTL_HOURS : Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new ConfigError(`HEADROOM_CCR_TTL_HOURS must be a positive number of hours, got "${raw}"`, 'HEADROOM_CCR_TTL_HOURS');
  }
  return hours * 3_600_000;
}

