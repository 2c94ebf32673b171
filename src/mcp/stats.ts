import * as fs from 'node:fs';
import { count } from '../plural.js';
import { join } from 'node:path';
import { headroomHome } from '../config.js';

/** A plain total of the proxy's ledger lines (HEADROOM_HOME/ledger/*.jsonl). */
export interface LedgerTotals {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  retrievals: number;
  /** Lines that could not be read as a record (a torn write, a foreign file). */
  skipped: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function ledgerTotals(dir: string = join(headroomHome(), 'ledger')): LedgerTotals {
  const t: LedgerTotals = { requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, retrievals: 0, skipped: 0 };
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return t;
  }
  for (const f of files) {
    for (const line of fs.readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        t.skipped++;
        continue;
      }
      if (!r || typeof r !== 'object') {
        t.skipped++;
        continue;
      }
      t.requests++;
      t.tokensBefore += num(r.tokensBefore);
      t.tokensAfter += num(r.tokensAfter);
      t.retrievals += num(r.retrievals);
    }
  }
  t.tokensSaved = t.tokensBefore - t.tokensAfter;
  return t;
}

export function describeTotals(t: LedgerTotals): string {
  if (t.requests === 0) return 'No requests recorded yet: savings appear once agents run through headroom (headroom wrap <agent>).';
  const pct = t.tokensBefore > 0 ? ((100 * t.tokensSaved) / t.tokensBefore).toFixed(1) : '0.0';
  return `${count(t.requests, 'request')}; tokens ${t.tokensBefore} before, ${t.tokensAfter} after compression: ${t.tokensSaved} saved (${pct}%); ${count(t.retrievals, 'retrieval')}.`;
}
