// Needles of a Go crash: a panic or fatal error with its goroutine traces, or a race report.
// Project frames are those whose file sits under the staged project (/tmp/headroom-corpus/);
// the standard library (/usr/lib/go-*/src) and the runtime are not the project's.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-go-panic';
export const RULE =
  'the `panic:` / `fatal error:` line and its continuation (`[recovered]` inner panic, `[signal ...]`), ' +
  'the first goroutine header after it that has project frames, the innermost frame in the project\'s files (function line and ' +
  '`file.go:N` line) of the panicking goroutine (goroutine 1 for a deadlock) and its caller in the project; ' +
  'for a race report: `WARNING: DATA RACE`, each access line and the first project frame under it; ' +
  'then `exit status N` when `go run` printed it.';

export function label(output) {
  return selectNeedles(goCrashCandidates(linesOf(output)));
}

const PROJECT_FILE = /^\s+\/tmp\/headroom-corpus\/\S+\.go:\d+/;

/** Candidates for every panic, fatal error and race report in the lines (used by go test too). */
export function goCrashCandidates(lines) {
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^panic: /.test(l) || /^fatal error: /.test(l)) {
      out.push(cand(lines, i, 'panic / fatal error line', 0));
      for (let k = i + 1; k < lines.length && lines[k].trim() && !/^goroutine \d+/.test(lines[k]); k++) {
        out.push(cand(lines, k, 'panic message continuation', 0));
      }
      const deadlock = /all goroutines are asleep/.test(l);
      let g = findGoroutine(lines, i, deadlock);
      // A test timeout panics in the testing alarm's goroutine: the stuck project code is in another.
      while (g >= 0 && projectFrames(lines, g).length === 0) g = findGoroutine(lines, g, false);
      if (g >= 0) {
        out.push(cand(lines, g, 'goroutine header of the crash', 2));
        const frames = projectFrames(lines, g).slice(0, 2);
        frames.forEach((f, n) => {
          out.push(cand(lines, f, n === 0 ? 'innermost project frame (file:line)' : 'calling project frame (file:line)', n === 0 ? 0 : 1));
          out.push(cand(lines, f - 1, n === 0 ? 'innermost project frame (function)' : 'calling project frame (function)', 2));
        });
      }
    } else if (/^WARNING: DATA RACE/.test(l)) {
      out.push(cand(lines, i, 'race report header', 0));
      for (let k = i + 1; k < lines.length && !/^={10,}/.test(lines[k]); k++) {
        if (/^(Previous )?(read|write|Read|Write) at 0x/.test(lines[k])) {
          out.push(cand(lines, k, 'racing access', 1));
          const f = projectFrames(lines, k)[0];
          if (f !== undefined) out.push(cand(lines, f, 'project frame of the racing access', 1));
        }
      }
    } else if (/^exit status \d+$/.test(l)) {
      out.push(cand(lines, i, 'exit status of the program', 2));
    }
  }
  return out;
}

/** The goroutine block describing the crash: the first after the panic, goroutine 1 on a deadlock. */
function findGoroutine(lines, from, deadlock) {
  for (let k = from + 1; k < lines.length; k++) {
    if (deadlock ? /^goroutine 1 \[/.test(lines[k]) : /^goroutine \d+ \[/.test(lines[k])) return k;
  }
  return -1;
}

/** Indexes of project file:line lines in the stack block starting at `start` (up to a blank line). */
function projectFrames(lines, start) {
  const out = [];
  for (let k = start + 1; k < lines.length && lines[k].trim(); k++) {
    if (PROJECT_FILE.test(lines[k])) out.push(k);
  }
  return out;
}
