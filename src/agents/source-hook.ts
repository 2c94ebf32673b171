import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { TranscriptLine } from './types.js';

/** What the agents' source-compression hooks (`headroom hook <event>`) have in common. */

/** Commands whose output must reach the model as it is: marked raw by the user, or headroom's own. */
export function leaveAlone(command: string): boolean {
  return /^\s*HEADROOM_RAW=1\b/.test(command) || /\bheadroom\s+(exec|retrieve)\b/.test(command);
}

const TAIL_BYTES = 512 * 1024;

/**
 * The user's latest prompt in an agent's transcript (read from its last 512 KB, lines read by the
 * agent's own `userTexts`), or '' when there is none or the file cannot be read.
 */
export function latestUserText(transcript: string, userTexts: (line: string) => TranscriptLine): string {
  let fd: number | undefined;
  try {
    const size = statSync(transcript).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    fd = openSync(transcript, 'r');
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    // The first line of a tail read may be cut short: skipped.
    for (let i = lines.length - 1; i >= (start > 0 ? 1 : 0); i--) {
      const texts = userTexts(lines[i]!).texts;
      if (texts.length > 0) return texts.join('\n');
    }
    return '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
