import { beforeAll, describe, expect, it } from 'vitest';
import { inputUsd } from '../../src/bench/cache-sim.js';
import { sessionTable } from '../../src/bench/session-report.js';
import { loadPricing, priceFor } from '../../src/pricing.js';
import { buildDist } from '../helpers/build-dist.js';
import { runSession } from './run-session.js';
import { SESSIONS, type SessionScript } from './session-scripts.js';

// One short session of the session benchmark, end to end: the real Claude Code, once straight to
// the fake provider and once under `headroom wrap`, each against its own simulated prompt cache.

const failing = SESSIONS.find((s) => s.id === 'failing-test')!;
/** Four commands of the real session, one of them printing a 29 kB log (something to compress). */
const SHORT: SessionScript = { ...failing, id: 'short', commands: [failing.commands[0]!, failing.commands[3]!, 'cat fixtures/outputs/log/node-http-service.txt', 'git status --short'] };

beforeAll(() => buildDist());

describe('session benchmark', () => {
  it('bills both runs of a short Claude Code session from the simulator, and reports them', async () => {
    const { comparison: c, without, with: withHeadroom } = await runSession('claude', SHORT, { timeoutMs: 180_000 });
    // Every agent turn ran: the commands, then the answer.
    expect(without.commandsSent).toBe(SHORT.commands.length);
    expect(withHeadroom.commandsSent).toBe(SHORT.commands.length);
    expect(c.turns.without).toBe(SHORT.commands.length + 1);
    expect(c.turns.with).toBeGreaterThanOrEqual(SHORT.commands.length + 1);
    // The figures are the simulator's usage, summed.
    const price = priceFor(loadPricing({}), c.pricedAs)!;
    for (const [bill, run] of [[c.without, without], [c.with, withHeadroom]] as const) {
      const u = run.billed.map((b) => b.usage);
      expect(bill.requests).toBe(run.billed.length);
      expect(bill.input).toBe(u.reduce((n, x) => n + x.uncached, 0));
      expect(bill.cacheRead).toBe(u.reduce((n, x) => n + x.cacheRead, 0));
      expect(bill.cacheWrite5m + bill.cacheWrite1h).toBe(u.reduce((n, x) => n + x.cacheWrite5m + x.cacheWrite1h, 0));
      expect(bill.output).toBe(run.billed.reduce((n, b) => n + b.output, 0));
      expect(bill.inputUsd).toBeCloseTo(u.reduce((n, x) => n + inputUsd(x, price), 0), 12);
      // Claude Code marks its prompt for caching: later turns read it.
      expect(bill.cacheRead).toBeGreaterThan(0);
      expect(bill.hitRate).toBeGreaterThan(0);
    }
    // The 29 kB log reached the model compressed under headroom, and the model retrieved from it once.
    expect(c.retrievals).toBe(1);
    expect(without.retrievals).toBe(0);
    expect(c).toMatchObject({ session: 'short', agent: 'claude', busts: expect.any(Number), retrievals: expect.any(Number), inputSaving: expect.any(Number) });
    const table = sessionTable([c]);
    console.log(table);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/^short\s+claude\s+claude-\S+\s+headroom\s/m);
  }, 400_000);
});
