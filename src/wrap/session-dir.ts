import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { headroomHome } from '../config.js';
import { headroomCommand } from '../exec/headroom-command.js';
import { writeSessionQuery } from '../exec/source-log.js';
import { currentOwner, ownerAlive, type ProcessOwner } from './process-owner.js';

/**
 * A wrapped session's own folder, HEADROOM_HOME/sessions/<wrap session>: the agent's per-session
 * hook settings, a `headroom` launcher on the agent's PATH (so the retrieval command named in a
 * compressed output runs in the agent's shell), the latest user message for `headroom exec`, and
 * the log of savings made at the source. Removed when the session ends; `owner.json` names the
 * headroom process it belongs to, so that a folder whose process died without removing it
 * (killed with SIGKILL, the machine lost power) is removed by the next `headroom wrap`.
 */
export interface SessionDir {
  dir: string;
  /** The shell command that runs `headroom hook <event>` with this very installation. */
  hookCommand(event: string): string;
  /** Variables for the agent: HEADROOM_SESSION_DIR and PATH with the launcher first. */
  env(path: string | undefined): Record<string, string>;
  writeQuery(query: string): void;
  remove(): void;
}

const OWNER_FILE = 'owner.json';
/** A folder without an owner record (made by a headroom before records) is left alone this long. */
const UNOWNED_GRACE_MS = 24 * 3600_000;

export function sessionsDir(env: NodeJS.ProcessEnv): string {
  return join(headroomHome(env), 'sessions');
}

export function createSessionDir(env: NodeJS.ProcessEnv, wrapSession: string): SessionDir {
  const dir = join(sessionsDir(env), wrapSession);
  // Made under a temporary name and renamed: a folder under its real name always has its owner record.
  const making = join(sessionsDir(env), `.${wrapSession}.new`);
  const bin = join(making, 'bin');
  mkdirSync(bin, { recursive: true, mode: 0o700 });
  writeFileSync(join(making, OWNER_FILE), `${JSON.stringify(currentOwner())}\n`, { mode: 0o600 });
  const launcher = join(bin, 'headroom');
  writeFileSync(launcher, `#!/bin/sh\nexec ${headroomCommand()} "$@"\n`, { mode: 0o700 });
  chmodSync(launcher, 0o700);
  renameSync(making, dir);
  let lastQuery = '';
  return {
    dir,
    hookCommand: (event) => `${headroomCommand()} hook ${event}`,
    env: (path) => ({ HEADROOM_SESSION_DIR: dir, PATH: path ? `${join(dir, 'bin')}${delimiter}${path}` : join(dir, 'bin') }),
    writeQuery(query) {
      if (query === lastQuery) return;
      lastQuery = query;
      writeSessionQuery(dir, query);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Removes the session folders whose headroom process is gone; returns their names. A folder
 * whose owner runs is left alone, and so is one without an owner record for a day.
 */
export function sweepDeadSessions(env: NodeJS.ProcessEnv, now = Date.now()): string[] {
  const root = sessionsDir(env);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const owner = readOwner(dir);
    const dead = owner ? !ownerAlive(owner) : olderThan(dir, now - UNOWNED_GRACE_MS);
    if (!dead) continue;
    rmSync(dir, { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

function readOwner(dir: string): ProcessOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<ProcessOwner>;
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return undefined;
    return { pid: o.pid, start: typeof o.start === 'string' ? o.start : null };
  } catch {
    return undefined;
  }
}

function olderThan(dir: string, cutoff: number): boolean {
  try {
    return statSync(dir).mtimeMs < cutoff;
  } catch {
    return false;
  }
}
