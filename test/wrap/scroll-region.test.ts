import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import xtermHeadless from '@xterm/headless';
import { layoutSequence, regionSequence, releaseSequence, resizeSequence, ScrollRegionGuard, statusSequence } from '../../src/wrap/scroll-region.js';

const b = (s: string) => Buffer.from(s, 'utf8');
const scanAll = (g: ScrollRegionGuard, ...chunks: string[]) => chunks.map((c) => g.scan(b(c)));

describe('ScrollRegionGuard', () => {
  it('passes ordinary output through as the same bytes', () => {
    const g = new ScrollRegionGuard(23);
    const chunk = b('hello \x1b[1;32mgreen\x1b[0m\r\n\x1b]0;title\x07 \x1b[5;10H\x1b[K wörld ✓\r\n');
    const r = g.scan(chunk);
    expect(r.out).toBe(chunk);
    expect(r.wiped).toBe(false);
    expect(g.canDraw).toBe(true);
  });

  it('never changes bytes of output without a region reset (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (chunks) => {
        const g = new ScrollRegionGuard(20);
        for (const c of chunks) {
          const buf = Buffer.from(c);
          const r = g.scan(buf);
          // Only a DECSTBM ending in `r` is ever rewritten.
          if (!buf.includes(0x72)) expect(r.out.equals(buf)).toBe(true);
        }
      }),
    );
  });

  it('bounds a region reset to the agent rows and leaves bounded regions alone', () => {
    const g = new ScrollRegionGuard(23);
    expect(g.scan(b('a\x1b[rb')).out.toString()).toBe('a\x1b[1;23rb');
    expect(g.scan(b('\x1b[;r')).out.toString()).toBe('\x1b[1;23r');
    expect(g.scan(b('\x1b[5r')).out.toString()).toBe('\x1b[5;23r');
    expect(g.scan(b('\x1b[2;30r')).out.toString()).toBe('\x1b[2;23r');
    expect(g.scan(b('\x1b[2;10r')).out.toString()).toBe('\x1b[2;10r');
    // Not DECSTBM: private or intermediate forms.
    expect(g.scan(b('\x1b[?1r\x1b[>1r')).out.toString()).toBe('\x1b[?1r\x1b[>1r');
  });

  it('rewrites a region reset split across chunks by cancelling the part already written', () => {
    const g = new ScrollRegionGuard(10);
    const [first, second] = scanAll(g, 'x\x1b[', 'ry');
    expect(first!.out.toString()).toBe('x\x1b[');
    expect(g.canDraw).toBe(true);
    expect(second!.out.toString()).toBe('\x18\x1b[1;10ry');
  });

  it('does nothing to regions when the status line is off', () => {
    const g = new ScrollRegionGuard(0);
    expect(g.scan(b('\x1b[r')).out.toString()).toBe('\x1b[r');
  });

  it.each([
    ['erase display', '\x1b[2J'],
    ['erase below', '\x1b[J'],
    ['erase below (0)', '\x1b[0J'],
    ['full reset', '\x1bc'],
    ['soft reset', '\x1b[!p'],
    ['alternate screen on', '\x1b[?1049h'],
    ['alternate screen off', '\x1b[?1049l'],
    ['old alternate screen', '\x1b[?47h'],
  ])('reports a %s as wiping the status line', (_name, seq) => {
    expect(new ScrollRegionGuard(23).scan(b(`x${seq}y`)).wiped).toBe(true);
  });

  it('does not report harmless erases as wiping', () => {
    const g = new ScrollRegionGuard(23);
    expect(g.scan(b('\x1b[1J\x1b[3J\x1b[2K\x1b[K')).wiped).toBe(false);
  });

  it('does not draw inside an escape sequence, a UTF-8 character, a saved cursor or a synchronized update', () => {
    const g = new ScrollRegionGuard(23);
    g.scan(b('abc\x1b'));
    expect(g.canDraw).toBe(false);
    g.scan(b('[12;4'));
    expect(g.canDraw).toBe(false);
    g.scan(b('H'));
    expect(g.canDraw).toBe(true);

    g.scan(b('\x1b]0;a long title'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b\\'));
    expect(g.canDraw).toBe(true);

    const check = Buffer.from('✓', 'utf8');
    g.scan(check.subarray(0, 2));
    expect(g.canDraw).toBe(false);
    g.scan(check.subarray(2));
    expect(g.canDraw).toBe(true);

    g.scan(b('\x1b7moved'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b8'));
    expect(g.canDraw).toBe(true);
    g.scan(b('\x1b[s'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b[u'));
    expect(g.canDraw).toBe(true);

    g.scan(b('\x1b[?2026hframe'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b[?2026l'));
    expect(g.canDraw).toBe(true);
  });

  it('turns off what the agent left on, and only that', () => {
    const g = new ScrollRegionGuard(23);
    expect(g.restoreSequence()).toBe('\x1b[0m');
    g.scan(b('\x1b[?1049h\x1b[?1000;1006h\x1b[?2004h\x1b[?25l\x1b[>1u\x1b[>3u\x1b[?7l'));
    const seq = g.restoreSequence();
    for (const part of ['\x1b[?1049l', '\x1b[?1000l', '\x1b[?1006l', '\x1b[?2004l', '\x1b[<2u', '\x1b[?7h', '\x1b[?25h']) expect(seq).toContain(part);
    g.scan(b('\x1b[?1000l\x1b[<u\x1b[?25h\x1b[?1049l'));
    const after = g.restoreSequence();
    expect(after).not.toContain('1000l');
    expect(after).not.toContain('1049l');
    expect(after).toContain('\x1b[<1u');
    expect(after).not.toContain('?25h');
    g.scan(b('\x1bc'));
    expect(g.restoreSequence()).toBe('\x1b[0m');
  });

  it('ends an escape sequence the agent left unfinished before restoring', () => {
    const g = new ScrollRegionGuard(23);
    g.scan(b('\x1b]0;half a title'));
    expect(g.restoreSequence().startsWith('\x1b\\')).toBe(true);
    const h = new ScrollRegionGuard(23);
    h.scan(b('\x1b[12;'));
    expect(h.restoreSequence().startsWith('\x18')).toBe(true);
  });
});

describe('screen sequences', () => {
  it('sets the region without moving the cursor and draws the status row in place', () => {
    expect(regionSequence(23)).toBe('\x1b7\x1b[1;23r\x1b8');
    expect(statusSequence(24, 'hi')).toBe('\x1b7\x1b[24;1H\x1b[0m\x1b[2Khi\x1b[0m\x1b8');
    expect(releaseSequence(24)).toBe('\x1b7\x1b[r\x1b[24;1H\x1b[2K\x1b8');
    expect(layoutSequence(23).endsWith(regionSequence(23))).toBe(true);
  });
});

/** A terminal of `cols` x `rows` showing `lines` (row 1 first) with the cursor at `cursor` (1-based). */
async function terminalShowing(cols: number, rows: number, lines: string[], cursor: { row: number; col: number }) {
  const term = new xtermHeadless.Terminal({ cols, rows, allowProposedApi: true, scrollback: 100 });
  const write = (t: string) => new Promise<void>((r) => term.write(t, r));
  await write(lines.map((l, i) => `\x1b[${i + 1};1H${l}`).join('') + `\x1b[${cursor.row};${cursor.col}H`);
  const buf = () => term.buffer.active;
  return {
    write,
    /** Scrollback then screen, trailing blanks trimmed. */
    all: () => Array.from({ length: buf().length }, (_, y) => buf().getLine(y)!.translateToString(true)),
    screen: () => Array.from({ length: rows }, (_, y) => buf().getLine(buf().baseY + y)!.translateToString(true)),
    cursor: () => ({ row: buf().cursorY + 1, col: buf().cursorX + 1 }),
    dispose: () => term.dispose(),
  };
}

describe('resizeSequence', () => {
  it('after a shrink that dropped the status row below a low cursor, scrolls one line up with the cursor following its line', async () => {
    // 30 rows shrunk to 20 with the agent's cursor on row 26: the terminal dropped the rows below the
    // cursor (the status row among them) and scrolled the rest; the cursor's line is the last row.
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const t = await terminalShowing(40, 20, lines, { row: 20, col: 5 });
    await t.write(resizeSequence(30, 20, 26, t.cursor()));
    expect(t.cursor()).toEqual({ row: 19, col: 5 });
    expect(t.screen()).toEqual([...lines.slice(1), '']);
    expect(t.all()[0]).toBe('line 1'); // into the scrollback, as a terminal one row shorter does
    // The agent's rows are 1-19: a line feed at row 19 scrolls them and leaves row 20 alone.
    await t.write(`\x1b[20;1Hstatus\x1b[19;1H\nnext`);
    expect(t.screen().slice(-2)).toEqual(['next', 'status']);
    t.dispose();
  });

  it('after a shrink that kept the cursor in the new agent rows, leaves the screen as it is', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const t = await terminalShowing(40, 20, lines, { row: 10, col: 3 });
    await t.write(resizeSequence(30, 20, 10, t.cursor()));
    expect(t.cursor()).toEqual({ row: 10, col: 3 });
    expect(t.screen()).toEqual(lines);
    t.dispose();
  });

  it('after a grow, erases only the old status line, below the agent rows that were under the cursor', async () => {
    // 20 rows grown to 34; the agent's cursor was on row 15 of 19 agent rows, the status row 20. The
    // terminal pulled 3 lines back from its scrollback: the cursor is on row 18, the old status on row 23.
    const lines = Array.from({ length: 22 }, (_, i) => `agent ${i + 1}`);
    lines.push('headroom · old status');
    const t = await terminalShowing(40, 34, lines, { row: 18, col: 7 });
    await t.write(resizeSequence(20, 34, 15, t.cursor()));
    expect(t.cursor()).toEqual({ row: 18, col: 7 });
    expect(t.screen()).toEqual([...lines.slice(0, 22), ...Array<string>(12).fill('')]);
    t.dispose();
  });

  it('without the cursor row, frees the last row as at start', () => {
    expect(resizeSequence(30, 20, undefined)).toBe(layoutSequence(19));
    expect(resizeSequence(20, 34, undefined)).toBe(layoutSequence(33));
  });
});

