import { createHash } from 'node:crypto';

export type HoldoutGroup = 'headroom' | 'holdout';

/**
 * The group of a session under `--holdout P`: a hash of the session id picks a point in
 * [0, 100), and sessions below P pass through untouched. The same id always lands in the same
 * group, in every process, so a session never switches groups between its requests.
 */
export function holdoutGroup(sessionId: string, percent: number): HoldoutGroup {
  if (!(percent > 0)) return 'headroom';
  if (percent >= 100) return 'holdout';
  const point = createHash('sha256').update(sessionId).digest().readUInt32BE(0) / 2 ** 32;
  return point * 100 < percent ? 'holdout' : 'headroom';
}

/** Parses `--holdout`/HEADROOM_HOLDOUT: a percentage from 0 to 100; undefined when it is not one. */
export function parseHoldout(text: string): number | undefined {
  if (!/^\d+(\.\d+)?%?$/.test(text.trim())) return undefined;
  const n = Number(text.trim().replace(/%$/, ''));
  return n >= 0 && n <= 100 ? n : undefined;
}
