import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headroomHome } from '../config.js';
import { sessionQueryPath } from '../exec/source-log.js';

/**
 * A wrapped session's own folder, HEADROOM_HOME/sessions/<wrap session>: the agent's per-session
 * hook settings, a `headroom` launcher on the agent's PATH (so the retrieval command named in a
 * compressed output runs in the agent's shell), the latest user message for `headroom exec`, and
 * the log of savings made at the source. Removed when the session ends.
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

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function createSessionDir(env: NodeJS.ProcessEnv, wrapSession: string): SessionDir {
  const dir = join(headroomHome(env), 'sessions', wrapSession);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true, mode: 0o700 });
  const launcher = join(bin, 'headroom');
  writeFileSync(launcher, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(CLI)} "$@"\n`, { mode: 0o700 });
  chmodSync(launcher, 0o700);
  let lastQuery = '';
  return {
    dir,
    hookCommand: (event) => `${quote(process.execPath)} ${quote(CLI)} hook ${event}`,
    env: (path) => ({ HEADROOM_SESSION_DIR: dir, PATH: path ? `${bin}${delimiter}${path}` : bin }),
    writeQuery(query) {
      if (query === lastQuery) return;
      lastQuery = query;
      try {
        writeFileSync(sessionQueryPath(dir), query, { mode: 0o600 });
      } catch {
        // the session is ending
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
