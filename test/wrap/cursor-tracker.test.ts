import * as fs from 'node:fs';
import { join } from 'node:path';
import xtermHeadless from '@xterm/headless';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charWidth } from '../../src/wrap/char-width.js';
import { CursorTracker } from '../../src/wrap/cursor-tracker.js';
import { ROOT } from '../helpers/build-dist.js';

const { Terminal } = xtermHeadless;

/** Where a headless xterm of the same size puts the cursor after `bytes`. */
async function xtermCursor(bytes: Buffer[], rows: number, cols: number): Promise<{ row: number; col: number }> {
  const term = new Terminal({ rows, cols, allowProposedApi: true, scrollback: 0 });
  for (const b of bytes) await new Promise<void>((r) => term.write(b, r));
  const buf = term.buffer.active;
  const pos = { row: buf.cursorY, col: Math.min(buf.cursorX, cols - 1) };
  term.dispose();
  return pos;
}

function tracked(bytes: Buffer[], rows: number, cols: number): CursorTracker {
  const t = new CursorTracker(rows, cols);
  t.at(0, 0);
  for (const b of bytes) t.feed(b);
  return t;
}

const ESC = '\x1b';
const ops = (wide: boolean) => fc.oneof(
  fc.stringMatching(/^[a-z ]{1,40}$/),
  fc.constantFrom(...(wide ? ['字', '漢字'] : []), 'é', 'e\u0301', '─', '✦', '❯'),
  fc.constantFrom('\r', '\n', '\r\n', '\b', '\t', `${ESC}D`, `${ESC}E`, `${ESC}M`, `${ESC}7`, `${ESC}8`, `${ESC}[s`, `${ESC}[u`),
  fc.tuple(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'd', 'e', 'a', '`', 'S', 'T', 'L', 'M', 'I', 'Z', 'K', 'J', 'X', '@', 'P'), fc.integer({ min: 0, max: 30 })).map(([f, n]) => `${ESC}[${n}${f}`),
  fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 90 })).map(([r, c]) => `${ESC}[${r};${c}H`),
  fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 25 })).map(([t, b]) => `${ESC}[${t};${b}r`),
  fc.constantFrom(`${ESC}[r`, ...(wide ? [] : [`${ESC}[?7l`, `${ESC}[?7h`]), `${ESC}[?1048h`, `${ESC}[?1048l`, `${ESC}[?2026h`, `${ESC}]0;title${'\x07'}`, `${ESC}[!p`, `${ESC}c`, `${ESC}[38;5;217m`),
);

describe('CursorTracker', () => {
  it.each([
    ['with wide characters', true],
    ['with autowrap switched off and on', false],
  ])('puts the cursor where xterm does (property, %s)', async (_, wide) => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops(wide), { maxLength: 60 }), fc.integer({ min: 2, max: 25 }), fc.integer({ min: 2, max: 90 }), async (ops, rows, cols) => {
        const bytes = [Buffer.from(ops.join(''))];
        const t = tracked(bytes, rows, cols);
        expect({ row: t.row, col: t.col }).toEqual(await xtermCursor(bytes, rows, cols));
      }),
      { numRuns: 300 },
    );
  });

  it.each(['claude-code', 'codex', 'gemini-cli'])('follows the cursor through %s\'s real output, cut at awkward places, as xterm does', async (name) => {
    const bytes = fs.readFileSync(join(ROOT, 'fixtures/terminal', `${name}.bytes`));
    const [rows, cols] = [29, 100];
    const tracker = new CursorTracker(rows, cols);
    tracker.at(0, 0);
    const term = new Terminal({ rows, cols, allowProposedApi: true, scrollback: 0 });
    let queries = 0;
    // Cuts every 97 bytes: inside escape sequences, UTF-8 characters and text alike.
    for (let at = 0; at < bytes.length; at += 97) {
      const chunk = bytes.subarray(at, at + 97);
      tracker.feed(chunk);
      await new Promise<void>((r) => term.write(chunk, r));
      const want = { row: term.buffer.active.cursorY, col: Math.min(term.buffer.active.cursorX, cols - 1) };
      expect({ row: tracker.row, col: tracker.col }, `after byte ${at + chunk.length}`).toEqual(want);
      queries += tracker.queries;
      tracker.queries = 0;
    }
    term.dispose();
    // Codex asks where the cursor is once at start-up; the Ink CLIs never do.
    expect(queries).toBe(name === 'codex' ? 1 : 0);
  });

  it('keeps the row unknown through relative moves until something fixes it', () => {
    const t = new CursorTracker(10, 20);
    t.feed(Buffer.from('hello\r\n\x1b[2A\x1b[3B'));
    expect(t.row).toBeUndefined();
    t.feed(Buffer.from('\x1b[5;3H'));
    expect([t.row, t.col]).toEqual([4, 2]);
    t.resize(8, 20);
    expect(t.row).toBeUndefined();
    t.at(7, 0);
    t.feed(Buffer.from('\n\n'));
    expect(t.row).toBe(7); // the bottom row scrolls
  });

  it('saves the cursor per screen, as xterm does, and 1049 restores the normal screen\'s', () => {
    const t = new CursorTracker(10, 20);
    t.at(2, 5);
    t.feed(Buffer.from('\x1b[?1049h\x1b[8;1H\x1b7\x1b[1;1H\x1b8'));
    expect(t.row).toBe(7);
    t.feed(Buffer.from('\x1b[?1049l'));
    expect([t.row, t.col]).toEqual([2, 5]);
  });

  it('measures characters as terminals do', () => {
    expect(['a', 'é', '─', '字', '🎉', '\u0301', '\u200d'].map((c) => charWidth(c.codePointAt(0)!))).toEqual([1, 1, 1, 2, 2, 0, 0]);
  });
});
