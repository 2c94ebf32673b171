// Needles of `python -m doctest [-v]`: per failed example its `File "...", line N, in name`
// line, the example, the first Expected and Got lines (or the exception line when one was
// raised), and the closing `N of M in name` / `***Test Failed*** N failures.` lines.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'doctest report structure (label-doctest.mjs): per failed example between `*****` rules, the ' +
  '`File "...", line N, in name` line, the example line, the first line after `Expected:` and after `Got:` ' +
  '(or the exception line after `Exception raised:`); the `***Test Failed***` line and the per-name counts.';

export function label(output) {
  const lines = linesOf(output);
  const groups = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\*{20,}$/.test(lines[i]) || !/^File ".*", line \d+, in /.test(lines[i + 1] ?? '')) continue;
    let end = i + 2;
    while (end < lines.length && !/^\*{20,}$/.test(lines[end])) end++;
    const body = lines.slice(i + 2, end);
    const g = [needle(lines[i + 1], 'failing example location')];
    const after = (label) => {
      const at = body.indexOf(label);
      return at >= 0 && body[at + 1]?.trim() ? body[at + 1] : null;
    };
    const example = after('Failed example:');
    const expected = after('Expected:');
    const got = after('Got:');
    if (expected) g.push(needle(expected, 'expected value'));
    if (got) g.push(needle(got, 'actual value'));
    const raisedAt = body.indexOf('Exception raised:');
    if (raisedAt >= 0) {
      const exc = body.slice(raisedAt + 1).find((l) => /^ {4}\S/.test(l) && !/^ {4}Traceback/.test(l));
      if (exc) g.push(needle(exc, 'exception raised by the example'));
    }
    if (example) g.push(needle(example, 'failing example'));
    groups.push(g);
    i = end - 1;
  }
  const always = [];
  const failed = lines.findLast((l) => /^\*\*\*Test Failed\*\*\* /.test(l));
  if (failed) always.push(needle(failed, 'run summary'));
  for (const l of lines) if (/^\s+\d+ of\s+\d+ in \S/.test(l)) groups.push([needle(l, 'failures per docstring')]);
  return selectNeedles(groups, always);
}
