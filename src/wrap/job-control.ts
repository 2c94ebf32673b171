import { readdirSync, readFileSync } from 'node:fs';

/**
 * Job control for an agent under headroom's PTY.
 *
 * The first process in a PTY leads its session, and Linux discards SIGTSTP sent to a process
 * group with no parent in the session: an agent started directly could never be suspended
 * (Claude Code would announce "suspended" and hang). So the agent is started by a small job
 * shell (bash in monitor mode) that puts it in its own process group with the terminal, as a
 * login shell would. When the agent stops, the job shell stops itself; headroom sees a stopped
 * process in the session, gives the terminal back and stops too, and when the user's shell
 * continues headroom (`fg`) headroom continues the job shell, which brings the agent back.
 * Linux only (reads /proc); elsewhere, or without bash, the agent is started directly.
 */

/**
 * `bash --norc --noprofile -i -c JOB_SHELL headroom-job FILE ARGS...` runs the agent as a
 * foreground job (an interactive bash, because only that one hands the terminal to its jobs).
 * The agent's stderr is the terminal; the job shell's own notices ("Stopped") go nowhere. It
 * exits with the agent's status, 128 + N when signal N ended the agent.
 */
export const JOB_SHELL = [
  'set -m',
  'exec 3>&2 2>/dev/null',
  '"$@" 2>&3 3>&-',
  's=$?',
  'while [ "$s" -ge 147 ] && [ "$s" -le 150 ] && [ -n "$(jobs -s)" ]; do kill -STOP $$; fg >/dev/null; s=$?; done',
  'exit "$s"',
].join('\n');

/** The foreground process group of the terminal `pid` belongs to (field tpgid of /proc/pid/stat). */
export function foregroundGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const tpgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[5]);
    return tpgid > 0 ? tpgid : undefined;
  } catch {
    return undefined;
  }
}

/** State letter and session id of every process, from /proc/<pid>/stat. */
function processes(): Array<{ pid: number; state: string; session: number }> {
  const out: Array<{ pid: number; state: string; session: number }> = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(e), state: f[0]!, session: Number(f[3]) });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Hangs up what is left of the agent's session once its leader has exited, as a terminal that
 * closes would: processes the agent started in their own groups (and that still hold the PTY
 * open) would otherwise outlive it.
 */
export function hangUpSession(leader: number, graceMs = 2000): void {
  const signalAll = (signal: NodeJS.Signals): number => {
    let n = 0;
    for (const p of processes()) {
      if (p.session !== leader || p.pid === leader) continue;
      try {
        process.kill(p.pid, signal);
        if (p.state === 'T' && signal === 'SIGHUP') process.kill(p.pid, 'SIGCONT');
        n++;
      } catch {
        // gone meanwhile
      }
    }
    return n;
  };
  // One that ignores the hang-up is killed after a grace period.
  if (signalAll('SIGHUP') > 0) setTimeout(() => signalAll('SIGKILL'), graceMs).unref();
}

/** A process of the session led by `leader` (the agent's PTY session) is stopped. */
function sessionStopped(leader: number): boolean {
  return processes().some((p) => p.session === leader && p.state === 'T');
}

/**
 * Watches the agent's session for a stop for a few seconds after each suspend key; the check
 * reads /proc, so it runs only then, not all the time.
 */
export class StopWatcher {
  private timer: NodeJS.Timeout | undefined;
  private until = 0;

  constructor(
    private readonly leader: number,
    private readonly onStopped: () => void,
  ) {}

  /** Called with every chunk of input the user typed. */
  input(d: Buffer): void {
    // Ctrl-Z as a byte, or as the kitty keyboard protocol sends it (`CSI 122;5 u`).
    if (process.platform !== 'linux' || !(d.includes(0x1a) || d.includes('\x1b[122;5u'))) return;
    this.until = Date.now() + 3000;
    this.timer ??= setInterval(() => this.check(), 50);
  }

  private check(): void {
    if (sessionStopped(this.leader)) {
      this.stop();
      this.onStopped();
    } else if (Date.now() > this.until) {
      this.stop();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
