import { readFileSync } from 'node:fs';

/** A process as it was when it made something: its pid and, where the system says, when it started. */
export interface ProcessOwner {
  pid: number;
  /** Start time in clock ticks since boot (Linux /proc/<pid>/stat); null where unknown. */
  start: string | null;
}

/** This process. */
export function currentOwner(): ProcessOwner {
  return { pid: process.pid, start: startTime(process.pid) };
}

/**
 * Whether the process that made something still runs. A pid alone can be taken by a new
 * process once the old one is gone, so where the start time was recorded it must match too.
 */
export function ownerAlive(owner: ProcessOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: a process with that pid runs, under another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === null) return true;
  const now = startTime(owner.pid);
  return now === null || now === owner.start;
}

/** The 22nd field of /proc/<pid>/stat, after the command name (which may hold spaces and parentheses). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
