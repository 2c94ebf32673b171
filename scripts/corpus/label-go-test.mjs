// Needles of a `go test` run: failing tests, their messages and the package summary; a panic,
// deadlock or race inside a test is labelled with the Go crash rules as well.
import { goBuildCandidates } from './label-go-build.mjs';
import { goCrashCandidates } from './label-go-panic.mjs';
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-go-test';
export const RULE =
  'each failing test\'s `--- FAIL: TestX/sub` line (leaf tests, whose subtests did not fail, first), the ' +
  '`x_test.go:N: message` line under it (got/want are on it) and, for multi-line messages, the ' +
  'got/want lines that follow; the `FAIL\\tpackage` summary line of each failing package; ' +
  'a failing benchmark\'s `--- FAIL: BenchmarkX` line and message; panics, deadlocks and races in ' +
  'a test with the rules of label-go-panic; compile errors of the test build with those of label-go-build.';

const FAIL_HEADER = /^\s*--- FAIL: \S+/;
const MESSAGE = /^\s+[\w.-]+\.go:\d+: /;

export function label(output) {
  const lines = linesOf(output);
  const out = [];
  const failed = lines.map((l) => l.match(/^\s*--- FAIL: (\S+)/)?.[1]).filter(Boolean);
  // A leaf is a failing test none of whose subtests failed: the one that printed the message.
  const isLeaf = (name) => !failed.some((n) => n.startsWith(`${name}/`));
  let firstLeaf = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (FAIL_HEADER.test(l)) {
      const leaf = isLeaf(l.match(/--- FAIL: (\S+)/)[1]);
      out.push(cand(lines, i, leaf ? 'failing test header' : 'failing parent test', leaf ? (firstLeaf ? 0 : 1) : 2));
      if (leaf) firstLeaf = false;
    } else if (MESSAGE.test(l)) {
      const first = !out.some((c) => c.why.startsWith('assertion message'));
      out.push(cand(lines, i, 'assertion message with file:line', first ? 0 : 1));
      const indent = l.match(/^\s*/)[0].length;
      for (let k = i + 1; k < lines.length && k < i + 12; k++) {
        const ind = lines[k].match(/^\s*/)[0].length;
        if (!lines[k].trim() || ind <= indent) break;
        if (/^\s*(got|want|expected|actual|[-+] )/i.test(lines[k])) out.push(cand(lines, k, 'expected/actual continuation', 2));
      }
    } else if (/^FAIL\t\S+/.test(l) && !/^\s*\S+\.go:\d+:\d+: /.test(l)) {
      out.push(cand(lines, i, 'failing package summary', 0));
    }
  }
  out.push(...goCrashCandidates(lines).filter((c) => !/^exit status/.test(c.text)));
  out.push(...goBuildCandidates(lines));
  return selectNeedles(out);
}
