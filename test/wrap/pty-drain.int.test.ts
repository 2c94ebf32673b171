import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { afterAll, describe, expect, it } from 'vitest';
import { holdAgentSide } from '../../src/wrap/pty-drain.js';

/**
 * A program that prints a lot into a real pseudo-terminal and exits at once: with its side held,
 * every byte is read, even when the reader stops reading, or is busy, just as it exits.
 */

const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-pty-drain-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const LINES = 20_000;
const file = join(dir, 'big.txt');
fs.writeFileSync(file, Array.from({ length: LINES }, (_, i) => `line ${i} ${'x'.repeat(60)}\n`).join(''));
// The terminal turns each \n into \r\n.
const EXPECTED = fs.statSync(file).size + LINES;

/** Runs cat on the file; `stall` is called once with the stream when `tail` bytes are left unread. */
function readAll(tail: number, stall: (p: pty.IPty) => void): Promise<number> {
  const p = pty.spawn('cat', [file], { cols: 100, rows: 30, encoding: null });
  const agentSide = holdAgentSide(p);
  let got = 0;
  let stalled = false;
  p.onData((d: string | Buffer) => {
    got += d.length;
    if (!stalled && got > EXPECTED - tail) {
      stalled = true;
      stall(p);
    }
  });
  return new Promise((resolve) =>
    p.onExit(() => {
      agentSide.release();
      resolve(got);
    }),
  );
}

describe('the end of a program that prints a lot and exits at once', () => {
  // Left unread when the reader stalls: less than the terminal buffers, so the program exits meanwhile.
  const tails = [4_000, 8_000, 16_000];

  it('is read in full when the reader paused the stream for a second as the program exited', async () => {
    for (const tail of tails) {
      const got = await readAll(tail, (p) => {
        p.pause();
        setTimeout(() => p.resume(), 1_000);
      });
      expect(got, `${tail} bytes left when paused`).toBe(EXPECTED);
    }
  });

  it('is read in full when the reader was busy for half a second as the program exited', async () => {
    for (const tail of tails) {
      const got = await readAll(tail, () => {
        const until = Date.now() + 500;
        while (Date.now() < until) {
          // busy, as a reader parsing a screenful of output can be
        }
      });
      expect(got, `${tail} bytes left when busy`).toBe(EXPECTED);
    }
  });
});
