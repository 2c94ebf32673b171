import * as fs from 'node:fs';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';

/** Every event a transcript reader yields for `file`, counting into `counts`. */
export async function readEvents(
  reader: (file: string, counts: ReadCounts) => AsyncGenerator<SessionEvent>,
  file: string,
  counts: ReadCounts = emptyCounts(),
): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  for await (const e of reader(file, counts)) out.push(e);
  return out;
}

/**
 * Writes `rows` to `file` with each target row replaced by its `make(output)`, where output is
 * `original` followed by about `size` characters of filler: written in pieces, so the test itself
 * never holds the giant line. Returns the output's length.
 */
export function bigOutputFile(file: string, list: unknown[], targets: Map<unknown, (output: string) => unknown>, size: number, original: string): number {
  const token = 'HUGE-OUTPUT-PLACEHOLDER';
  const fillerText = 'npm error filler line that only makes the output long 0123456789\n'.repeat(16 * 1024);
  const filler = JSON.stringify(fillerText).slice(1, -1);
  const fillerChars = fillerText.length;
  const repeats = Math.ceil(size / fillerChars);
  const head = JSON.stringify(`${original}\n`).slice(1, -1);
  const tail = 'END OF THE HUGE OUTPUT';
  const fd = fs.openSync(file, 'w');
  try {
    for (const row of list) {
      const make = targets.get(row);
      if (make === undefined) {
        fs.writeSync(fd, `${JSON.stringify(row)}\n`);
        continue;
      }
      const parts = JSON.stringify(make(token)).split(token);
      parts.forEach((part, i) => {
        fs.writeSync(fd, part);
        if (i === parts.length - 1) return;
        fs.writeSync(fd, head);
        for (let r = 0; r < repeats; r++) fs.writeSync(fd, filler);
        fs.writeSync(fd, tail);
      });
      fs.writeSync(fd, '\n');
    }
  } finally {
    fs.closeSync(fd);
  }
  return original.length + 1 + repeats * fillerChars + tail.length;
}
