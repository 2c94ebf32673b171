// Needles of `go build` / `go vet` / `go test` compile failures: every diagnostic with its location.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-go-build';
export const RULE =
  'every diagnostic line with a location (`path/file.go:L:C: message`, also prefixed `vet: `), ' +
  'spread over the output when there are more than 8; the `# package` header before the first ' +
  'and `too many errors` when present.';

const DIAG = /^(vet: )?\.{0,2}\/?[\w./-]+\.go:\d+(:\d+)?: \S/;

export function label(output) {
  return selectNeedles(goBuildCandidates(linesOf(output)));
}

/** Candidates for every located Go compiler / vet diagnostic (used by the go test labeller too). */
export function goBuildCandidates(lines) {
  const out = [];
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    if (DIAG.test(lines[i])) {
      out.push(cand(lines, i, 'diagnostic with location', first ? 0 : 1));
      if (first && i > 0 && /^# \S+/.test(lines[i - 1])) out.push(cand(lines, i - 1, 'package of the first diagnostic', 2));
      first = false;
    } else if (/too many errors$/.test(lines[i])) {
      out.push(cand(lines, i, 'error cap reached', 2));
    }
  }
  return out;
}
