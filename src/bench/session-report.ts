import { inputUsd, type SimPrice, type SimUsage } from './cache-sim.js';
import { firstDifference, promptBlocks, type CacheFormat } from './prompt-blocks.js';

/** One model call of a session as the (simulated) provider billed it. */
export interface BilledRequest {
  format: CacheFormat | 'gemini';
  model: string;
  body: unknown;
  /** A turn of the agent's loop (the request declares its shell), not a side request. */
  main: boolean;
  usage: SimUsage;
  output: number;
}

/** What a session cost, by token class and in USD. */
export interface SessionBill {
  requests: number;
  /** Input tokens billed at the plain price (Anthropic input_tokens; OpenAI total minus cached). */
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  inputUsd: number;
  usd: number;
  /** cacheRead over all input tokens. */
  hitRate: number;
  /** Agent turns whose request did not extend the turn before it (the prefix changed inside it). */
  rewrites: number;
}

/** Sums a session's billed requests at one price. */
export function sessionBill(requests: BilledRequest[], price: SimPrice): SessionBill {
  const bill: SessionBill = { requests: requests.length, input: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, inputUsd: 0, usd: 0, hitRate: 0, rewrites: prefixRewrites(requests) };
  let total = 0;
  for (const r of requests) {
    bill.input += r.usage.uncached;
    bill.cacheRead += r.usage.cacheRead;
    bill.cacheWrite5m += r.usage.cacheWrite5m;
    bill.cacheWrite1h += r.usage.cacheWrite1h;
    bill.output += r.output;
    bill.inputUsd += inputUsd(r.usage, price);
    total += r.usage.totalInput;
  }
  bill.usd = bill.inputUsd + (bill.output * price.output) / 1e6;
  bill.hitRate = total === 0 ? 0 : bill.cacheRead / total;
  return bill;
}

/**
 * Agent turns whose request changed something the turn before it had sent, instead of only
 * adding to it: each one costs a cache write (or, for OpenAI, a miss) of everything after the
 * change. Compared block by block (cache markers ignored), agent turns only.
 */
export function prefixRewrites(requests: BilledRequest[]): number {
  const turns = requests.filter((r) => r.main && r.format !== 'gemini' && !isRetrieveRound(r));
  let n = 0;
  for (let k = 1; k < turns.length; k++) {
    const prev = turns[k - 1]!;
    const cur = turns[k]!;
    const format = cur.format as CacheFormat;
    if (firstDifference(promptBlocks(format, prev.body), promptBlocks(format, cur.body)) !== undefined) n++;
  }
  return n;
}

/**
 * A request the proxy made itself to answer the model's headroom_retrieve call (the agent never
 * sent it): it ends with that call and its result. The agent's next request goes on from the one
 * before it, not from this one.
 */
function isRetrieveRound(r: BilledRequest): boolean {
  const blocks = promptBlocks(r.format as CacheFormat, r.body);
  return blocks.slice(-3).some((b) => b.text.includes('"headroom_retrieve"'));
}

export interface SessionComparison {
  session: string;
  agent: string;
  /** The price-table model the figures are priced at. */
  pricedAs: string;
  turns: { without: number; with: number };
  without: SessionBill;
  with: SessionBill;
  /** Rewrites headroom added: agent turns whose forwarded prefix changed beyond the agent's own rewrites. */
  busts: number;
  /** Retrievals of compressed content the model made. */
  retrievals: number;
  /** 1 - with/without, of the input USD. */
  inputSaving: number;
  /** 1 - with/without, of all USD (output included). */
  saving: number;
}

export function compareSession(meta: { session: string; agent: string; pricedAs: string; retrievals: number }, without: BilledRequest[], withHeadroom: BilledRequest[], price: SimPrice): SessionComparison {
  const a = sessionBill(without, price);
  const b = sessionBill(withHeadroom, price);
  return {
    ...meta,
    turns: { without: without.filter((r) => r.main).length, with: withHeadroom.filter((r) => r.main).length },
    without: a,
    with: b,
    busts: Math.max(0, b.rewrites - a.rewrites),
    inputSaving: a.inputUsd === 0 ? 0 : 1 - b.inputUsd / a.inputUsd,
    saving: a.usd === 0 ? 0 : 1 - b.usd / a.usd,
  };
}

/** The comparison as a text table, one row per session and mode, and a total. */
export function sessionTable(rows: SessionComparison[]): string {
  const head = ['session', 'agent', 'priced as', 'mode', 'turns', 'input', 'cache read', 'write 5m', 'write 1h', 'output', 'hit rate', 'input $', 'total $', 'busts', 'retrievals'];
  const lines = [head];
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const usd = (x: number): string => `$${x.toFixed(4)}`;
  for (const r of rows) {
    for (const [mode, bill, turns] of [['without', r.without, r.turns.without], ['headroom', r.with, r.turns.with]] as const) {
      const extra = mode === 'headroom' ? [String(r.busts), String(r.retrievals)] : ['', ''];
      lines.push([r.session, r.agent, r.pricedAs, mode, String(turns), String(bill.input), String(bill.cacheRead), String(bill.cacheWrite5m), String(bill.cacheWrite1h), String(bill.output), pct(bill.hitRate), usd(bill.inputUsd), usd(bill.usd), ...extra]);
    }
    lines.push([r.session, r.agent, r.pricedAs, 'saving', '', '', '', '', '', '', '', pct(r.inputSaving), pct(r.saving), '', '']);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
