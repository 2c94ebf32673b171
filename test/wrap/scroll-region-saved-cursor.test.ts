import { describe, expect, it } from 'vitest';
import { ScrollRegionGuard } from '../../src/wrap/scroll-region.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/**
 * How opencode 1.18.33 starts its full-screen TUI (bytes recorded from the real CLI in tmux, its
 * terminal queries shortened): a cursor save and restore around a position query, then a second
 * save just before it switches to the alternate screen, which it never restores while running.
 */
const OPENCODE_START =
  '\x1b[?2031h\x1b]10;?\x07\x1b]11;?\x07\x1b[>0q\x1b[?25l\x1b[s\x1b[6n\x1b[H\x1b[6n\x1b[u\x1b[s\x1b[?1049h\x1b[>4;1m\x1b[?2004h' +
  '\x1b[?1000h\x1b[?1002h\x1b[?1003h\x1b[?1006h\x1b[14t\x1b[?2026h\x1b[?25l\x1b[1;1H  Ask anything\x1b[?25h\x1b[?2026l';

describe('ScrollRegionGuard: a cursor saved on the main screen', () => {
  it('does not hold the status line back while the agent draws on the alternate screen (opencode showed none)', () => {
    const g = new ScrollRegionGuard(29);
    g.scan(b(OPENCODE_START));
    expect(g.canDraw).toBe(true);
  });

  it('holds drawing back again once the agent is back on the main screen with it outstanding, until it is restored', () => {
    const g = new ScrollRegionGuard(29);
    g.scan(b('\x1b7\x1b[?1049h'));
    expect(g.canDraw).toBe(true);
    // A save on the alternate screen holds drawing back as on the main one.
    g.scan(b('\x1b[s'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b[u'));
    expect(g.canDraw).toBe(true);
    g.scan(b('\x1b[?1049l'));
    expect(g.canDraw).toBe(false);
    g.scan(b('\x1b8'));
    expect(g.canDraw).toBe(true);
  });

  it('a cursor saved on the main screen only, without a switch, still holds drawing back', () => {
    const g = new ScrollRegionGuard(29);
    g.scan(b('\x1b[s\x1b[?2004h'));
    expect(g.canDraw).toBe(false);
  });
});
