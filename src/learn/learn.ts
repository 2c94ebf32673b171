import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { simpleGit } from 'simple-git';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../agents/events.js';
import type { Agent, AgentName } from '../agents/types.js';
import { discoverTranscripts, type Looked, type TranscriptFile } from './discover.js';
import { Miner } from './miner.js';
import type { Rule } from './types.js';

export interface LearnOptions {
  agents: readonly Agent[];
  /** The project whose sessions are mined (a session belongs to it when its working directory is inside). */
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  /** Only what happened since this time (epoch ms): older files are not read, older events are dropped. */
  sinceMs?: number;
  /** Drop lessons seen in fewer sessions than this. */
  minSessions: number;
  /** Called before each transcript and once at the end. */
  onProgress?: (p: LearnProgress) => void;
}

export interface LearnProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** The file being read next (absent at the end). */
  file?: string;
}

export interface LearnResult {
  projectRoot: string;
  looked: Looked[];
  /** Transcripts of this project that were read, their bytes, and its sessions per agent. */
  read: { files: number; bytes: number; sessions: Partial<Record<AgentName, number>> };
  /** Working directories of the transcripts that belong to other projects, most common first (at most 5). */
  otherProjects: Array<{ cwd: string; files: number }>;
  /** Transcripts that never said which directory they worked in (not read). */
  withoutCwd: number;
  /** Lines the readers skipped: malformed (cut short, binary) or of record types they do not know. */
  counts: ReadCounts;
  /** Ranked lessons seen in at least minSessions sessions. */
  rules: Rule[];
  /** Lessons seen in fewer sessions (one-offs), left out. */
  belowMinSessions: number;
}

/** Events read from a transcript before it names its working directory; past this it is set aside. */
const MAX_EVENTS_BEFORE_CWD = 200;

/**
 * Mines the transcripts of the given agents for the lessons of one project: finds each agent's
 * transcripts, reads those whose sessions worked inside `projectRoot` (a transcript of another
 * project is dropped at its first event that names a directory), and clusters the lessons.
 */
export async function learnFromTranscripts(opts: LearnOptions): Promise<LearnResult> {
  const looked: Looked[] = [];
  const files: Array<{ agent: Agent; file: TranscriptFile }> = [];
  for (const agent of opts.agents) {
    const found = await discoverTranscripts(agent, { env: opts.env, projectRoot: opts.projectRoot, ...(opts.sinceMs !== undefined ? { sinceMs: opts.sinceMs } : {}) });
    looked.push(found.looked);
    for (const file of found.files) files.push({ agent, file });
  }
  const inProject = projectMatcher(opts.projectRoot);
  const miner = new Miner();
  const counts = emptyCounts();
  const sessions = new Map<AgentName, Set<string>>();
  const others = new Map<string, number>();
  const read = { files: 0, bytes: 0 };
  let withoutCwd = 0;
  const bytesTotal = files.reduce((n, f) => n + f.file.bytes, 0);
  let bytesDone = 0;
  for (const [i, { agent, file }] of files.entries()) {
    opts.onProgress?.({ filesDone: i, filesTotal: files.length, bytesDone, bytesTotal, file: file.path });
    const take = (e: SessionEvent): void => {
      if (opts.sinceMs !== undefined && e.time !== undefined && Date.parse(e.time) < opts.sinceMs) return;
      miner.add(e);
      let seen = sessions.get(e.agent);
      if (!seen) sessions.set(e.agent, (seen = new Set()));
      seen.add(e.session);
    };
    const held: SessionEvent[] = [];
    let belongs: boolean | undefined;
    for await (const event of agent.events(file.path, counts)) {
      if (belongs === undefined) {
        if (event.cwd === undefined) {
          held.push(event);
          if (held.length < MAX_EVENTS_BEFORE_CWD) continue;
          break;
        }
        belongs = inProject(event.cwd);
        if (!belongs) {
          others.set(event.cwd, (others.get(event.cwd) ?? 0) + 1);
          break;
        }
        for (const e of held.splice(0)) take(e);
      }
      take(event);
    }
    if (belongs === undefined) withoutCwd++;
    if (belongs) {
      read.files++;
      read.bytes += file.bytes;
    }
    bytesDone += file.bytes;
  }
  opts.onProgress?.({ filesDone: files.length, filesTotal: files.length, bytesDone, bytesTotal });
  const all = miner.rules({ minSessions: 1 });
  const rules = all.filter((r) => r.sessions >= opts.minSessions);
  return {
    projectRoot: opts.projectRoot,
    looked,
    read: { ...read, sessions: Object.fromEntries([...sessions].map(([a, s]) => [a, s.size])) },
    otherProjects: [...others].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([cwd, n]) => ({ cwd, files: n })),
    withoutCwd,
    counts,
    rules,
    belowMinSessions: all.length - rules.length,
  };
}

/** The root of the project `dir` is in: its git work tree's top folder, else `dir` itself. */
export async function projectRootOf(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    const git = simpleGit({ baseDir: abs, timeout: { block: 5_000 } });
    if (await git.checkIsRepo()) return (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    // No git, or a folder git cannot read: the folder itself is the project.
  }
  return abs;
}

/** Whether a session's working directory is the project root or inside it (symlinked paths too). */
export function projectMatcher(root: string): (cwd: string) => boolean {
  const roots = new Set([resolve(root), real(resolve(root))]);
  const cache = new Map<string, boolean>();
  const under = (dir: string): boolean => [...roots].some((r) => dir === r || dir.startsWith(r.endsWith(sep) ? r : r + sep));
  return (cwd) => {
    let hit = cache.get(cwd);
    if (hit === undefined) {
      const dir = resolve(cwd);
      hit = under(dir) || under(real(dir));
      cache.set(cwd, hit);
    }
    return hit;
  };
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
