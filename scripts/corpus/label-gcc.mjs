// Needles of gcc / g++ / clang / ld / make output: each located error (then warning) line, linker
// undefined references, the make recipe that failed.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-gcc';
export const RULE =
  'each diagnostic line `file:line:col: error|fatal error|warning: ...` (errors first; warnings only when ' +
  'there is room or no error; errors inside system headers last), the project line that instantiated a ' +
  'template (gcc `required from here`, clang `note: in instantiation of ... requested here`), ' +
  'each linker `file:line: undefined reference to ...` (or `undefined reference` / clang `undefined symbol`) ' +
  'line, the `ld returned 1 exit status` / `linker command failed` line and make\'s `*** [...] Error N` line.';

const DIAG = /^([^\s:][^:]*):(\d+):(\d+): (error|fatal error|warning): /;

/** Candidates for every compiler / linker / make diagnostic (used by the test labellers too). */
export function gccCandidates(lines) {
  const out = [];
  const anyError = lines.some((l) => DIAG.exec(l)?.[4]?.includes('error') || /undefined reference|undefined symbol/.test(l));
  // An error inside a system header (a template instantiated from project code) ranks below the
  // project line that instantiated it.
  const system = (l) => l.startsWith('/usr/');
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = DIAG.exec(l);
    if (m) {
      const isError = m[4].includes('error');
      const tier = system(l) ? 2 : isError || !anyError ? (first ? 0 : 1) : 2;
      out.push(cand(lines, i, isError ? 'compiler error with location' : 'compiler warning with location', tier));
      if ((isError || !anyError) && !system(l)) first = false;
    } else if (!system(l) && (/^\S+:\d+:\d+:\s+required from here$/.test(l) || /^\S+:\d+:\d+: note: in instantiation of .* requested here$/.test(l))) {
      out.push(cand(lines, i, 'template instantiation point in the project', first ? 0 : 1));
      first = false;
    } else if (/undefined reference to |undefined symbol: /.test(l)) {
      out.push(cand(lines, i, 'unresolved symbol', first ? 0 : 1));
      first = false;
    } else if (/ld returned \d+ exit status|linker command failed/.test(l)) {
      out.push(cand(lines, i, 'link failure', 1));
    } else if (/^g?make(\[\d+\])?: \*\*\* \[.*\] (Error \d+|Segmentation fault|Aborted)/.test(l)) {
      out.push(cand(lines, i, 'failed make recipe', 2));
    }
  }
  return out;
}

export function label(output) {
  return selectNeedles(gccCandidates(linesOf(output)));
}
