import { SinceError } from '../errors.js';

export { SinceError };

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * The moment a `--since` value names: a span back from `now` ("30m", "24h", "7d", "2w") or an
 * ISO date or date-time ("2026-11-01", "2026-11-01T09:00:00Z"; a bare date is midnight UTC).
 */
export function parseSince(spec: string, now: Date = new Date()): Date {
  const s = spec.trim();
  const span = /^(\d+)\s*([mhdw])$/i.exec(s);
  if (span) {
    const n = Number(span[1]);
    const unit = UNIT_MS[(span[2] ?? '').toLowerCase()];
    if (n <= 0 || unit === undefined) throw new SinceError(spec);
    return new Date(now.getTime() - n * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    const iso = s.length === 10 ? `${s}T00:00:00Z` : s.replace(' ', 'T');
    const t = new Date(iso);
    if (!Number.isNaN(t.getTime())) return t;
  }
  throw new SinceError(spec);
}
