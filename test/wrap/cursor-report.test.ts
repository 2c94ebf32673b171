import { afterEach, describe, expect, it, vi } from 'vitest';
import { CursorReport } from '../../src/wrap/cursor-report.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('CursorReport', () => {
  afterEach(() => vi.useRealTimers());

  it('takes its answer out of the keyboard input and keeps the keys around it', async () => {
    const r = new CursorReport();
    const answer = r.asked();
    expect(r.pending).toBe(true);
    expect(r.input(b('ab\x1b[12;40Rcd')).toString('latin1')).toBe('abcd');
    await expect(answer).resolves.toEqual({ row: 12, col: 40 });
    expect(r.pending).toBe(false);
    // Nothing asked: input goes on as it is, answers to nobody included.
    const keys = b('x\x1b[3;4R');
    expect(r.input(keys)).toBe(keys);
  });

  it("lets the answers to the agent's own earlier queries through to the agent", async () => {
    const r = new CursorReport();
    r.agentAsked(2);
    const answer = r.asked();
    expect(r.input(b('\x1b[1;1R')).toString('latin1')).toBe('\x1b[1;1R');
    expect(r.input(b('\x1b[2;2R\x1b[9;9R')).toString('latin1')).toBe('\x1b[2;2R');
    await expect(answer).resolves.toEqual({ row: 9, col: 9 });
    // An answer to a query the agent writes later is the agent's again.
    r.agentAsked(1);
    expect(r.input(b('\x1b[5;5R')).toString('latin1')).toBe('\x1b[5;5R');
  });

  it('gives up on a terminal that does not answer, and still takes a late answer out', async () => {
    vi.useFakeTimers();
    const r = new CursorReport();
    const answer = r.asked();
    vi.advanceTimersByTime(1000);
    await expect(answer).resolves.toBeUndefined();
    expect(r.pending).toBe(false);
    expect(r.input(b('\x1b[7;1Rq')).toString('latin1')).toBe('q');
    expect(r.input(b('\x1b[7;1R')).toString('latin1')).toBe('\x1b[7;1R');
  });

  it('stops waiting when cancelled', async () => {
    const r = new CursorReport();
    const answer = r.asked();
    r.cancel();
    await expect(answer).resolves.toBeUndefined();
  });
});
