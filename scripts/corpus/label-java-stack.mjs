// Needles of a Java stack trace: the exception line with its message, the innermost frame in the
// project's own code, the `Caused by:` chain down to the root cause and that cause's first project
// frame. Library frames (java.*, jdk.*, sun.*, org.junit.*, Maven's) are not the project's.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-java-stack';
export const RULE =
  'the exception line (`Exception in thread "main" x.Y: message` or `x.YException: message`) and a message ' +
  'continuation line; the innermost `at` frame in the project\'s packages (not java.*, jdk.*, sun.*, ' +
  'org.junit.*, org.apache.maven.*); every `Caused by:` line, the last (root cause) first, with its first ' +
  'project frame; for a StackOverflowError the recursing project frame.';

// The uncaught-exception line may follow output the program printed without a newline.
const EXCEPTION = /^(.*Exception in thread "[^"]+" )?([a-z][\w$]*\.)+[A-Z][\w$]*(Exception|Error|Throwable)(: .*)?$/;
const FRAME = /^\s+at ([\w$.<>/]+)\(/;
const LIBRARY = /^(java\.|javax\.|jdk\.|sun\.|com\.sun\.|org\.junit\.|junit\.|org\.hamcrest\.|org\.apache\.maven\.)/;

export function isProjectFrame(line) {
  const m = FRAME.exec(line);
  return !!m && !LIBRARY.test(m[1].replace(/^[\w.]+\//, ''));
}

/**
 * Candidates for the stack trace starting at the exception line `i` (used by the JUnit labeller).
 * `tier` is the tier of the exception line itself.
 */
export function traceCandidates(lines, i, tier = 0) {
  const out = [cand(lines, i, 'exception with message', tier)];
  if (i + 1 < lines.length && lines[i + 1].trim() && !/^\s+at /.test(lines[i + 1]) && !/^(Caused by|\s+\.\.\.)/.test(lines[i + 1])) {
    out.push(cand(lines, i + 1, 'exception message continuation', tier));
  }
  let k = i + 1;
  let firstFrame = -1;
  while (k < lines.length && !/^\s+at /.test(lines[k]) && k < i + 6) k++;
  if (k < lines.length && /^\s+at /.test(lines[k])) firstFrame = k;
  const own = (from) => {
    for (let j = from; j < lines.length && (/^\s+(at |\.\.\. \d+ more)/.test(lines[j])); j++) if (isProjectFrame(lines[j])) return j;
    return -1;
  };
  if (firstFrame >= 0) {
    const p = own(firstFrame);
    // In a StackOverflowError the innermost project frame is the one that recurses.
    const overflow = /StackOverflowError/.test(lines[i]);
    if (p >= 0) out.push(cand(lines, p, overflow ? 'recursing project frame' : 'innermost project frame', overflow ? tier : Math.min(2, tier + 1)));
  }
  const causes = [];
  for (let j = i + 1; j < lines.length; j++) {
    if (/^Caused by: /.test(lines[j])) causes.push(j);
    else if (!/^\s/.test(lines[j]) && lines[j].trim()) break;
  }
  causes.forEach((c, n) => {
    const root = n === causes.length - 1;
    out.push(cand(lines, c, root ? 'root cause' : 'intermediate cause', root ? tier : Math.min(2, tier + 1)));
    const p = own(c + 1);
    if (p >= 0) out.push(cand(lines, p, root ? 'root cause project frame' : 'cause project frame', root ? Math.min(2, tier + 1) : 2));
  });
  return out;
}

export function label(output) {
  const lines = linesOf(output);
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (EXCEPTION.test(lines[i]) && (i + 1 < lines.length) && /^\s+at |^\S/.test(lines[i + 1])) {
      out.push(...traceCandidates(lines, i, out.length ? 1 : 0));
    }
  }
  return selectNeedles(out);
}

export { EXCEPTION };
