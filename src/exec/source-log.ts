import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Savings made at the source (by `headroom exec` or an agent hook) inside a wrapped session are
 * appended to `<session dir>/source.jsonl`; `wrap` follows that file for its status line.
 * `HEADROOM_SESSION_DIR` names the session dir in the agent's environment.
 */
export interface SourceSaving {
  /** Who compressed: "exec", or the hook, e.g. "claude-hook". */
  by: string;
  tokensBefore: number;
  tokensAfter: number;
  key?: string;
}

export function sourceLogPath(sessionDir: string): string {
  return join(sessionDir, 'source.jsonl');
}

/** Where `wrap` keeps the session's latest user message, the query `headroom exec` compresses for. */
export function sessionQueryPath(sessionDir: string): string {
  return join(sessionDir, 'query.txt');
}

/** Appends one saving to the wrapped session's log; outside a wrapped session it does nothing. */
export function recordSourceSaving(env: NodeJS.ProcessEnv, saving: SourceSaving): void {
  const dir = env.HEADROOM_SESSION_DIR;
  if (!dir) return;
  try {
    // One short line per write: appends of this size are not interleaved between processes.
    appendFileSync(sourceLogPath(dir), `${JSON.stringify(saving)}\n`, { mode: 0o600 });
  } catch {
    // The session ended and its folder is gone: nothing to count any more.
  }
}

/**
 * Follows a wrapped session's source log: every `everyMs` the savings appended since the last
 * look go to `onSavings` (only when there are some). The returned stop function ends the
 * following after one last look, so that savings made just before the end are counted.
 */
export function followSourceLog(sessionDir: string, onSavings: (savings: SourceSaving[]) => void, everyMs = 1000): () => void {
  const follower = new SourceLogFollower(sourceLogPath(sessionDir));
  const look = (): void => {
    const savings = follower.poll();
    if (savings.length > 0) onSavings(savings);
  };
  const timer = setInterval(look, everyMs);
  return () => {
    clearInterval(timer);
    look();
  };
}

/** Reads the lines appended since the last call. */
class SourceLogFollower {
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  poll(): SourceSaving[] {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buf.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    const out: SourceSaving[] = [];
    for (const line of lines) {
      try {
        const s = JSON.parse(line) as SourceSaving;
        if (typeof s.tokensBefore === 'number' && typeof s.tokensAfter === 'number') out.push(s);
      } catch {
        // a damaged line: skipped
      }
    }
    return out;
  }
}

/** Keeps the wrapped session's latest user message where `sessionQuery` finds it. */
export function writeSessionQuery(sessionDir: string, query: string): void {
  try {
    writeFileSync(sessionQueryPath(sessionDir), query, { mode: 0o600 });
  } catch {
    // the session is ending
  }
}

/**
 * The query an output is compressed for: HEADROOM_QUERY, else the wrapped session's latest user
 * message (which `wrap` keeps in the session folder), else ''.
 */
export function sessionQuery(env: NodeJS.ProcessEnv): string {
  if (env.HEADROOM_QUERY) return env.HEADROOM_QUERY;
  if (!env.HEADROOM_SESSION_DIR) return '';
  try {
    return readFileSync(sessionQueryPath(env.HEADROOM_SESSION_DIR), 'utf8');
  } catch {
    return '';
  }
}
