import type { SessionEvent } from '../agents/events.js';
import { Clusters } from './cluster.js';
import { SessionMiner } from './session.js';
import { DEFAULT_MIN_SESSIONS, type Rule } from './types.js';

export interface MinerOptions {
  /** Sessions whose windows are kept open at once; the least recently seen one is settled beyond it. */
  openSessions?: number;
}

export interface RuleOptions {
  /** Drop lessons seen in fewer sessions than this (default 2: one-offs are not rules). */
  minSessions?: number;
}

/**
 * Mines lessons from the event streams of many sessions and agents, fed one transcript after
 * another: failures, the fixes that followed them, the user's corrections, and loops. Memory stays
 * bounded: a small window per open session, and per lesson its counters and newest evidence.
 */
export class Miner {
  private readonly clusters = new Clusters();
  private readonly open = new Map<string, SessionMiner>();
  private readonly openSessions: number;

  constructor(options: MinerOptions = {}) {
    this.openSessions = Math.max(1, options.openSessions ?? 16);
  }

  add(event: SessionEvent): void {
    const id = `${event.agent}\u0000${event.session}`;
    let session = this.open.get(id);
    if (session === undefined) {
      session = new SessionMiner((s) => this.clusters.add(s));
      if (this.open.size >= this.openSessions) this.settleOldest();
    } else {
      this.open.delete(id);
    }
    // Map order is recency: the first entry is the session seen least recently.
    this.open.set(id, session);
    session.add(event);
  }

  /** Settles every open session and returns the ranked lessons seen in at least `minSessions` sessions. */
  rules(options: RuleOptions = {}): Rule[] {
    for (const session of this.open.values()) session.finish();
    this.open.clear();
    return this.clusters.rules(options.minSessions ?? DEFAULT_MIN_SESSIONS);
  }

  private settleOldest(): void {
    const [id, session] = this.open.entries().next().value as [string, SessionMiner];
    session.finish();
    this.open.delete(id);
  }
}
