import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Agent, AgentName } from '../agents/types.js';

/** One transcript file `learn` may read. */
export interface TranscriptFile {
  agent: AgentName;
  path: string;
  bytes: number;
  mtimeMs: number;
}

/** Where `learn` looked for one agent's transcripts, and what it found there. */
export interface Looked {
  agent: AgentName;
  /** The agent's transcript folder (or file, for Aider's history). */
  where: string;
  state: 'missing' | 'empty' | 'found';
  /** Transcript files found (before the --since and project filters). */
  files: number;
  /** Files left out by --since (not modified since then). */
  olderThanSince: number;
}

export interface DiscoverOptions {
  env: NodeJS.ProcessEnv;
  /** Relative transcript locations (Aider's history) are taken from here: the project root. */
  projectRoot: string;
  /** Leave out files last modified before this time (epoch ms). */
  sinceMs?: number;
}

/**
 * The session transcripts of one agent: the files under its transcript folder, as deep as the
 * agent writes them, that the agent calls transcripts (subagent files are read through their
 * session's). Missing and empty folders are reported, not errors.
 */
export async function discoverTranscripts(agent: Agent, opts: DiscoverOptions): Promise<{ looked: Looked; files: TranscriptFile[] }> {
  const where = resolve(opts.projectRoot, agent.transcriptDir(opts.env));
  const found: TranscriptFile[] = [];
  const add = async (path: string): Promise<void> => {
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile() && s.size > 0) found.push({ agent: agent.name, path, bytes: s.size, mtimeMs: s.mtimeMs });
  };
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth < agent.transcriptDepth) await walk(path, depth + 1);
      else if (e.isFile() && agent.transcriptFile(path)) await add(path);
    }
  };
  const root = await stat(where).catch(() => undefined);
  if (root?.isFile()) await add(where);
  else if (root?.isDirectory()) await walk(where, 0);
  found.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  const files = opts.sinceMs === undefined ? found : found.filter((f) => f.mtimeMs >= opts.sinceMs!);
  const state = root === undefined ? 'missing' : found.length === 0 ? 'empty' : 'found';
  return { looked: { agent: agent.name, where, state, files: found.length, olderThanSince: found.length - files.length }, files };
}
