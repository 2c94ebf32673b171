import { bm25Scores } from './relevance.js';

const ERROR_KEY_RE = /^(?:errors?|err|exception|failure|failed)$/i;
const STATUS_KEY_RE = /^(?:status|state|level|severity|result|conclusion|outcome)$/i;
const BAD_VALUE_RE = /error|fail|fatal|critical|panic|crash|denied|timeout|timed.out/i;

/**
 * Which items of an array to keep when the whole array does not fit its budget: the first
 * two and the last, error items, anomalies (rare keys, rare values, numeric outliers) and
 * then the items most relevant to the query, while they fit.
 */
export function selectItems(raw: readonly unknown[], pruned: readonly unknown[], terms: readonly string[], budget: number): Uint8Array {
  const n = raw.length;
  const keep = new Uint8Array(n);
  const sizes = pruned.map((p) => JSON.stringify(p).length + 2);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= budget || n <= 3) return keep.fill(1);

  const must = new Uint8Array(n);
  must[0] = 1;
  must[1] = 1;
  must[n - 1] = 1;
  for (let i = 0; i < n; i++) if (isErrorItem(raw[i])) must[i] = 1;
  for (const i of anomalies(raw)) must[i] = 1;

  const texts = raw.map((r) => (typeof r === 'string' ? r : JSON.stringify(r) ?? ''));
  const rel = bm25Scores(texts, terms);
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (must[i]) {
      keep[i] = 1;
      used += sizes[i]!;
    }
  }
  const order = [...Array(n).keys()].filter((i) => !keep[i] && rel[i]! > 0).sort((a, b) => rel[b]! - rel[a]! || a - b);
  for (const i of order) {
    if (used + sizes[i]! > budget) continue;
    keep[i] = 1;
    used += sizes[i]!;
  }
  return keep;
}

function isErrorItem(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (ERROR_KEY_RE.test(k) && x !== null && x !== false && x !== '' && !(Array.isArray(x) && x.length === 0)) return true;
    if (STATUS_KEY_RE.test(k) && typeof x === 'string' && BAD_VALUE_RE.test(x)) return true;
    if ((k === 'ok' || k === 'success') && x === false) return true;
    if (STATUS_KEY_RE.test(k) && typeof x === 'number' && x >= 500) return true;
  }
  return false;
}

/** Items with a key few others have, a value few others have, or a numeric outlier. */
export function anomalies(raw: readonly unknown[]): number[] {
  const objs = raw.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined));
  const n = objs.filter(Boolean).length;
  if (n < 5) return [];
  const keyCount = new Map<string, number>();
  const valueCount = new Map<string, Map<string, number>>();
  const numbers = new Map<string, number[]>();
  for (const o of objs) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) {
      keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
      if (typeof v === 'number') (numbers.get(k) ?? numbers.set(k, []).get(k)!).push(v);
      else if (typeof v === 'boolean' || (typeof v === 'string' && v.length <= 40)) {
        const m = valueCount.get(k) ?? valueCount.set(k, new Map()).get(k)!;
        m.set(String(v), (m.get(String(v)) ?? 0) + 1);
      }
    }
  }
  const stats = new Map<string, { mean: number; sd: number }>();
  for (const [k, xs] of numbers) {
    if (xs.length < 5) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    if (sd > 0) stats.set(k, { mean, sd });
  }
  // The commonest value of each key, found once (not once per item: that was quadratic).
  const dominantCount = new Map<string, number>();
  for (const [k, counts] of valueCount) {
    let most = 0;
    for (const c of counts.values()) if (c > most) most = c;
    dominantCount.set(k, most);
  }
  const out: number[] = [];
  objs.forEach((o, i) => {
    if (!o) return;
    for (const [k, v] of Object.entries(o)) {
      const rareKey = keyCount.get(k)! <= Math.max(1, n * 0.1);
      const counts = valueCount.get(k);
      const dominant = dominantCount.get(k) ?? 0;
      const rareValue =
        counts !== undefined && counts.size <= 3 && dominant >= n * 0.8 && (counts.get(String(v)) ?? n) <= Math.max(1, n * 0.1);
      const st = typeof v === 'number' ? stats.get(k) : undefined;
      const outlier = st !== undefined && Math.abs((v as number) - st.mean) / st.sd > 3;
      if (rareKey || rareValue || outlier) {
        out.push(i);
        return;
      }
    }
  });
  return out;
}
