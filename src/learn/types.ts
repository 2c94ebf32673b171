import type { AgentName } from '../agents/types.js';

/** A lesson must recur in this many sessions to become a rule (one-offs are not rules). */
export const DEFAULT_MIN_SESSIONS = 2;

/** One occurrence of a lesson, for the dry-run report: where it was seen and what happened. */
export interface Evidence {
  agent: AgentName;
  session: string;
  time?: string;
  /** Transcript file and 1-based line of the failure (or the correction). */
  file: string;
  line: number;
  /** The failing command or call, as the agent ran it. */
  failing?: string;
  /** The command that worked afterwards, for a failure -> fix lesson. */
  fixing?: string;
  /** The user's own words, for a correction. */
  quote?: string;
}

export type RuleKind = 'fix' | 'correction' | 'loop';

/** A lesson mined from the transcripts, ranked by how often it recurs and what it cost. */
export interface Rule {
  /**
   * Stable key of the lesson (from normalised command templates or the correction's wording):
   * the same lesson mined again, from any agent, has the same key, so re-runs merge instead of duplicating.
   */
  key: string;
  kind: RuleKind;
  /** One imperative line for the instruction file, e.g. "Use `pnpm test`, not `npm test`." */
  text: string;
  /** Distinct sessions it was seen in. */
  sessions: number;
  agents: AgentName[];
  /** Estimated tokens the failures cost (failing outputs and the retries). */
  wastedTokens: number;
  /** Date (YYYY-MM-DD) of the newest evidence. */
  lastSeen: string;
  evidence: Evidence[];
}
