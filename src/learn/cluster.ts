import type { AgentName } from '../agents/types.js';
import type { Evidence, Rule, RuleKind } from './types.js';

/** One sighting of a lesson, as the session miner reports it. */
export interface Sighting {
  key: string;
  kind: RuleKind;
  /** The rule text this sighting suggests; a correction's wording wins over a generated one. */
  text: string;
  evidence: Evidence;
  wastedTokens: number;
}

/** Evidence kept per lesson: the newest ones, so memory stays bounded however often it recurs. */
const EVIDENCE_KEPT = 5;

interface Lesson {
  key: string;
  kind: RuleKind;
  text: string;
  /** The text came from the user's words (it is kept over generated ones). */
  said: boolean;
  sessions: Set<string>;
  agents: Set<AgentName>;
  wastedTokens: number;
  lastTime: string;
  evidence: Evidence[];
}

/** Gathers sightings of the same lesson (same key) across sessions and agents, and ranks them. */
export class Clusters {
  private readonly lessons = new Map<string, Lesson>();

  add(s: Sighting): void {
    let lesson = this.lessons.get(s.key);
    if (lesson === undefined) {
      lesson = { key: s.key, kind: s.kind, text: s.text, said: s.kind === 'correction', sessions: new Set(), agents: new Set(), wastedTokens: 0, lastTime: '', evidence: [] };
      this.lessons.set(s.key, lesson);
    }
    // A fix the user also asked for in words is one lesson: a correction, in the user's words.
    if (s.kind === 'correction' && !lesson.said) {
      lesson.kind = 'correction';
      lesson.text = s.text;
      lesson.said = true;
    }
    lesson.sessions.add(`${s.evidence.agent}\u0000${s.evidence.session}`);
    lesson.agents.add(s.evidence.agent);
    lesson.wastedTokens += s.wastedTokens;
    const time = s.evidence.time ?? '';
    if (time > lesson.lastTime) lesson.lastTime = time;
    keepNewest(lesson.evidence, s.evidence);
  }

  /** Lessons seen in at least `minSessions` sessions: most sessions first, then most tokens wasted. */
  rules(minSessions: number): Rule[] {
    const out: Rule[] = [];
    for (const l of this.lessons.values()) {
      if (l.sessions.size < minSessions) continue;
      out.push({
        key: l.key,
        kind: l.kind,
        text: l.text,
        sessions: l.sessions.size,
        agents: [...l.agents].sort(),
        wastedTokens: l.wastedTokens,
        lastSeen: l.lastTime.slice(0, 10),
        evidence: [...l.evidence],
      });
    }
    return out.sort((a, b) => b.sessions - a.sessions || b.wastedTokens - a.wastedTokens || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** Inserts `e` newest first and drops the oldest beyond EVIDENCE_KEPT (evidence without a time counts as oldest). */
function keepNewest(list: Evidence[], e: Evidence): void {
  const time = e.time ?? '';
  let i = list.findIndex((x) => (x.time ?? '') < time);
  if (i < 0) i = list.length;
  list.splice(i, 0, e);
  if (list.length > EVIDENCE_KEPT) list.length = EVIDENCE_KEPT;
}
