import { watch, type FSWatcher } from 'chokidar';
import { createReadStream, existsSync, realpathSync, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import type { Agent, AgentName } from '../agents/index.js';
import { rememberRequests } from './remember.js';

/**
 * Live capture of "remember ..." requests from an agent's own transcripts while it runs
 * (`headroom wrap <agent> --memory`). Each fact the user asked to remember is reported once
 * per session, with the agent and the agent's own session id.
 *
 * - Watches `agent.transcriptDir(env)` (relative paths are taken from `cwd`, e.g. Aider's
 *   history file) with chokidar. When it does not exist yet it is polled for every
 *   POLL_MS; nothing is ever created in the agent's config home.
 * - Files there at start are read only from the size they had then; files that appear later
 *   are read from byte 0. Reads are incremental (an offset per file), a line is handled only
 *   once it is complete, and records an agent writes again (same id) are handled once.
 * - Sessions that name a working directory outside `cwd` (another project's session of the
 *   same agent) are skipped.
 */
export interface CaptureOptions {
  agent: Agent;
  env: Record<string, string | undefined>;
  /** The project directory the agent runs in. */
  cwd: string;
  onRemember(fact: string, meta: { agent: AgentName; session: string; file: string }): void | Promise<void>;
  onError?(err: Error): void;
}

export interface Capture {
  /** Reads what is left to read, reports it, and stops watching. */
  close(): Promise<void>;
}

const POLL_MS = 500;
const CHUNK = 1 << 20;

interface Tail {
  path: string;
  offset: number;
  /** Size at start for files that existed then: the part not read. */
  skipped: number;
  /** A line not yet ended by a newline. */
  partial: Buffer;
  session?: string;
  cwd?: string;
  /** The skipped part was searched for the session and cwd. */
  metaRead: boolean;
  records: Set<string>;
  queue: Promise<void>;
}

/** Starts following the agent's transcripts; resolves once the watcher is ready. */
export async function startCapture(opts: CaptureOptions): Promise<Capture> {
  const root = resolve(opts.cwd, opts.agent.transcriptDir(opts.env));
  const project = projectPaths(opts.cwd);
  const tails = new Map<string, Tail>();
  const seen = new Set<string>();
  const report = (err: unknown): void => opts.onError?.(err instanceof Error ? err : new Error(String(err)));
  const accepts = (path: string): boolean => path === root || opts.agent.transcriptFile(path);

  const track = (path: string, existedAtStart: number | undefined): Tail => {
    let tail = tails.get(path);
    if (!tail) {
      const skipped = existedAtStart ?? 0;
      tail = { path, offset: skipped, skipped, partial: Buffer.alloc(0), metaRead: skipped === 0, records: new Set(), queue: Promise.resolve() };
      tails.set(path, tail);
    }
    return tail;
  };
  const schedule = (tail: Tail, final = false): Promise<void> => {
    tail.queue = tail.queue.then(() => drain(tail, final)).catch(report);
    return tail.queue;
  };

  async function drain(tail: Tail, final: boolean): Promise<void> {
    // stat first: most files have not changed (close() drains every file seen).
    const size = await stat(tail.path).then((st) => st.size, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (size === undefined) return;
    if (size < tail.offset) {
      // Truncated or replaced: a file from before start is followed from its new end (its old
      // content may be back), a new one from the beginning.
      tail.offset = tail.skipped > 0 ? size : 0;
      tail.skipped = tail.offset;
      tail.metaRead = tail.skipped === 0;
      tail.partial = Buffer.alloc(0);
    }
    if (size > tail.offset) await readTo(tail, size);
    if (final && tail.partial.length > 0) {
      const last = tail.partial.toString('utf8');
      tail.partial = Buffer.alloc(0);
      await handleLine(tail, last);
    }
  }

  async function readTo(tail: Tail, size: number): Promise<void> {
    const fh = await open(tail.path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!fh) return;
    try {
      const buf = Buffer.alloc(Math.min(CHUNK, size - tail.offset));
      while (tail.offset < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - tail.offset), tail.offset);
        if (bytesRead === 0) break;
        tail.offset += bytesRead;
        await feed(tail, buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
  }

  async function feed(tail: Tail, chunk: Buffer): Promise<void> {
    let data = tail.partial.length > 0 ? Buffer.concat([tail.partial, chunk]) : Buffer.from(chunk);
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a)) {
      const line = data.subarray(0, nl).toString('utf8').replace(/\r$/, '');
      data = data.subarray(nl + 1);
      await handleLine(tail, line);
    }
    tail.partial = Buffer.from(data);
  }

  async function handleLine(tail: Tail, line: string): Promise<void> {
    if (line.trim() === '') return;
    const read = opts.agent.userTexts(line);
    if (read.session) tail.session = read.session;
    if (read.cwd) tail.cwd = read.cwd;
    if (read.texts.length === 0) return;
    if (read.record !== undefined) {
      if (tail.records.has(read.record)) return;
      tail.records.add(read.record);
    }
    const facts = read.texts.flatMap(rememberRequests);
    if (facts.length === 0) return;
    if (!tail.metaRead && (tail.session === undefined || tail.cwd === undefined)) await readSkippedMeta(tail);
    if (tail.cwd !== undefined && !inside(project, tail.cwd)) return;
    const session = tail.session ?? basename(tail.path, extname(tail.path));
    for (const fact of facts) {
      const key = `${session}\n${fact.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        await opts.onRemember(fact, { agent: opts.agent.name, session, file: tail.path });
      } catch (err) {
        report(err);
      }
    }
  }

  /** The session and cwd named in the part of a file written before start (read only when needed). */
  async function readSkippedMeta(tail: Tail): Promise<void> {
    tail.metaRead = true;
    let session: string | undefined;
    let cwd: string | undefined;
    const lines = createInterface({ input: createReadStream(tail.path, { start: 0, end: tail.skipped - 1 }), crlfDelay: Infinity });
    for await (const line of lines) {
      const read = opts.agent.userTexts(line);
      session = read.session ?? session;
      cwd = read.cwd ?? cwd;
    }
    tail.session ??= session;
    tail.cwd ??= cwd;
  }

  /**
   * Transcripts under `dirs` (default: root, or root itself) that no watcher event has reported
   * yet, or, with `again`, every transcript there: a file the watcher never reported is not
   * watched for changes either, so its later lines are found only this way. Every directory
   * walked is new since start, so a file found for the first time is read from byte 0.
   */
  async function sweep(dirs: Iterable<string> = [root], again = false): Promise<void> {
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory() && depth < opts.agent.transcriptDepth) await walk(path, depth + 1);
        else if (e.isFile() && accepts(path)) found.push(path);
      }
    };
    for (const dir of dirs) {
      const st = await stat(dir).catch(() => undefined);
      if (st?.isFile() && accepts(dir)) found.push(dir);
      else if (st?.isDirectory()) await walk(dir, depthOf(dir));
    }
    for (const path of found) if (again || !tails.has(path)) void schedule(track(path, undefined));
  }
  const depthOf = (dir: string): number => (dir === root ? 0 : relative(root, dir).split(sep).length);

  let watcher: FSWatcher | undefined;
  let starting: Promise<void> | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;
  // Directories created since start. A file written into a new directory between the watcher's
  // listing of it and its watch being set is never reported by the watcher, nor are its later
  // writes (and an agent waiting for its answer writes nothing more), so the transcripts in these
  // few directories are also read every POLL_MS (a stat each when nothing changed).
  const newDirs = new Set<string>();
  let sweeper: NodeJS.Timeout | undefined;
  const startSweeper = (): void => {
    sweeper = setInterval(() => {
      if (!closed && newDirs.size > 0) sweep(newDirs, true).catch(report);
    }, POLL_MS);
    sweeper.unref();
  };

  const startWatcher = async (existedAtStart: boolean): Promise<void> => {
    const w = watch(root, {
      ignoreInitial: false,
      alwaysStat: true,
      // Only as deep as the agent's transcripts: a home full of old sessions stays cheap to watch.
      depth: opts.agent.transcriptDepth,
      ignorePermissionErrors: true,
      ignored: (path: string, stats?: Stats) => stats?.isFile() === true && !accepts(path),
    });
    watcher = w;
    let ready = false;
    w.on('add', (path: string, stats?: Stats) => {
      if (!accepts(path)) return;
      const tail = track(path, existedAtStart && !ready ? (stats?.size ?? 0) : undefined);
      if (ready || !existedAtStart) void schedule(tail);
    });
    w.on('addDir', (path: string) => {
      if (ready || !existedAtStart) newDirs.add(path);
    });
    w.on('change', (path: string) => {
      if (accepts(path)) void schedule(track(path, undefined));
    });
    w.on('error', (err: unknown) => report(err));
    await new Promise<void>((done) => w.once('ready', () => done()));
    ready = true;
    if (!existedAtStart) await sweep();
  };

  if (existsSync(root)) {
    await startWatcher(true);
  } else {
    poller = setInterval(() => {
      if (closed || starting || !existsSync(root)) return;
      clearInterval(poller);
      starting = startWatcher(false).catch(report);
    }, POLL_MS);
    poller.unref();
  }
  startSweeper();

  return {
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poller);
      clearInterval(sweeper);
      await starting;
      await watcher?.close();
      // Whatever the watcher had not reported yet: new files, then the rest of every file.
      await sweep();
      await Promise.all([...tails.values()].map((t) => schedule(t, true)));
    },
  };
}

/** The project directory as given and as the file system resolves it (symlinks, e.g. /tmp on macOS). */
function projectPaths(cwd: string): string[] {
  const given = resolve(cwd);
  try {
    return [...new Set([given, realpathSync(given)])];
  } catch {
    return [given];
  }
}

function inside(project: string[], dir: string): boolean {
  const candidates = [resolve(dir)];
  try {
    candidates.push(realpathSync(dir));
  } catch {
    // Gone or never local: compare the path as written.
  }
  return candidates.some((d) =>
    project.some((p) => {
      const rel = relative(p, d);
      return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
    }),
  );
}
