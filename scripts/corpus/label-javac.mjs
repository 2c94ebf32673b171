// Needles of javac (and Maven compiler plugin) diagnostics: each error or warning with its location.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-javac';
export const RULE =
  'each diagnostic line with a location (`src/.../X.java:12: error: ...`, Maven\'s `[ERROR] /path/X.java:[12,5] ...`), ' +
  'errors before warnings and spread over the output when there are more than fit; the `N errors` count line.';

const JAVAC = /^\S+\.java:\d+: (error|warning): /;
const MAVEN = /^\[(ERROR|WARNING)\] \S+\.java:\[\d+,\d+\] /;

/** Candidates for every javac diagnostic (used by the JUnit/Maven labeller too). */
export function javacCandidates(lines) {
  const out = [];
  const seenMaven = new Set();
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = JAVAC.exec(l) ?? MAVEN.exec(l);
    if (m) {
      // Maven prints each compiler error twice (in the log and in the failure summary): keep the first.
      const key = l.replace(/^\[\w+\] /, '');
      if (seenMaven.has(key)) continue;
      seenMaven.add(key);
      const isError = /error|ERROR/.test(m[1]);
      out.push(cand(lines, i, isError ? 'compiler error with location' : 'compiler warning with location', isError ? (first ? 0 : 1) : 2));
      if (isError) first = false;
    } else if (/^\d+ errors?$/.test(l) || /^\d+ warnings?$/.test(l)) {
      out.push(cand(lines, i, 'diagnostic count', /error/.test(l) ? 0 : 2));
    } else if (/^\[ERROR\] COMPILATION ERROR/.test(l)) {
      out.push(cand(lines, i, 'maven compilation failure', 2));
    }
  }
  return out;
}

export function label(output) {
  return selectNeedles(javacCandidates(linesOf(output)));
}
