import type { HoldoutGroup } from '../proxy/holdout.js';

/** One request of a `--holdout` run, as the comparison needs it. */
export interface GroupedRequest {
  group: HoldoutGroup;
  session: string;
  /** Billed USD from the receipt. */
  usd: number;
  /** Input tokens of every class, and the part read from the prompt cache. */
  input: number;
  cacheRead: number;
}

/** One figure compared between the groups: means, and a 95% interval of their difference. */
interface Comparison {
  headroom: number;
  holdout: number;
  /** headroom - holdout. */
  difference: number;
  /** 95% interval of the difference; null when there is too little data. */
  interval: [number, number] | null;
}

export interface GroupComparison {
  /** Sessions and turns (requests) per group. */
  counts: Record<HoldoutGroup, { sessions: number; turns: number }>;
  /** Per session: total cost and cache hit rate (read / all input) of each session. */
  perSession: { usd: Comparison; cacheHitRate: Comparison };
  /** Per turn: cost and cache hit rate of each request. */
  perTurn: { usd: Comparison; cacheHitRate: Comparison };
  /** Too little data for an interval, said plainly (null when there is enough). */
  tooLittle: string | null;
  method: string;
}

/** Below these counts in either group no interval is given. */
export const MIN_SESSIONS = 10;
const MIN_TURNS = 30;
const RESAMPLES = 2_000;

/** Said with the comparison; a function, since toLocaleString's first call loads ICU (tens of ms at start-up). */
const intervalMethod = (): string =>
  `bootstrap: ${RESAMPLES.toLocaleString('en-US')} resamples of each group with replacement, 95% percentile interval of the difference of the means (turns of one session are resampled as if independent)`;

/** The groups compared, or undefined when no request carries a group. */
export function compareGroups(requests: readonly GroupedRequest[]): GroupComparison | undefined {
  if (requests.length === 0) return undefined;
  const sessions = new Map<string, GroupedRequest>();
  for (const r of requests) {
    const key = `${r.group}\0${r.session}`;
    const s = sessions.get(key);
    if (s) sessions.set(key, { ...s, usd: s.usd + r.usd, input: s.input + r.input, cacheRead: s.cacheRead + r.cacheRead });
    else sessions.set(key, { ...r });
  }
  const perSession = [...sessions.values()];
  const count = (list: readonly GroupedRequest[], g: HoldoutGroup) => list.filter((r) => r.group === g).length;
  const counts = {
    headroom: { sessions: count(perSession, 'headroom'), turns: count(requests, 'headroom') },
    holdout: { sessions: count(perSession, 'holdout'), turns: count(requests, 'holdout') },
  };
  const enoughSessions = Math.min(counts.headroom.sessions, counts.holdout.sessions) >= MIN_SESSIONS;
  const enoughTurns = Math.min(counts.headroom.turns, counts.holdout.turns) >= MIN_TURNS;
  const tooLittle = enoughSessions && enoughTurns
    ? null
    : `too little data for an interval: it needs at least ${MIN_SESSIONS} sessions and ${MIN_TURNS} turns in each group (headroom: ${counts.headroom.sessions} sessions, ${counts.headroom.turns} turns; holdout: ${counts.holdout.sessions} sessions, ${counts.holdout.turns} turns)`;
  const usd = (r: GroupedRequest) => r.usd;
  const hit = (r: GroupedRequest) => (r.input > 0 ? r.cacheRead / r.input : 0);
  return {
    counts,
    perSession: { usd: compare(perSession, usd, enoughSessions), cacheHitRate: compare(perSession, hit, enoughSessions) },
    perTurn: { usd: compare(requests, usd, enoughTurns), cacheHitRate: compare(requests.filter((r) => r.input > 0), hit, enoughTurns) },
    tooLittle,
    method: intervalMethod(),
  };
}

function compare(list: readonly GroupedRequest[], value: (r: GroupedRequest) => number, enough: boolean): Comparison {
  const a = list.filter((r) => r.group === 'headroom').map(value);
  const b = list.filter((r) => r.group === 'holdout').map(value);
  const headroom = mean(a);
  const holdout = mean(b);
  return { headroom, holdout, difference: headroom - holdout, interval: enough && a.length > 0 && b.length > 0 ? bootstrap(a, b) : null };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Percentile bootstrap of mean(a) - mean(b), with a fixed seed so a report reads the same twice. */
function bootstrap(a: readonly number[], b: readonly number[]): [number, number] {
  const rand = mulberry32(0x5eed);
  const resampledMean = (xs: readonly number[]) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[Math.floor(rand() * xs.length)]!;
    return s / xs.length;
  };
  const diffs = Array.from({ length: RESAMPLES }, () => resampledMean(a) - resampledMean(b)).sort((x, y) => x - y);
  return [diffs[Math.floor(0.025 * RESAMPLES)]!, diffs[Math.ceil(0.975 * RESAMPLES) - 1]!];
}

/** A small seeded PRNG (mulberry32), uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}
