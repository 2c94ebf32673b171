// Needles of `node --test`: the TAP reporter (Node 20's default when not on a terminal) and the
// spec reporter. Per failing test (not a suite failing because of its subtests): its `not ok` /
// `✖` line, the error message, expected/actual, the file:line of the assertion; and the
// `# fail N` / `ℹ fail N` and pass lines.
import { isOwnFrame } from './label-js-frames.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'node:test report (label-node-test.mjs): TAP: per `not ok N - name` whose failureType is not subtestsFailed, ' +
  'that line, the first line of `error:`, the `expected:`/`actual:` lines, and the `location:` line or first ' +
  'stack line in the project; spec: per `✖ name` line followed by an error, that line, the error line, ' +
  "`a !== b` or `actual:`/`expected:` lines, the first project frame, the `test at file:line:col` line; the fail and pass counts.";

export function label(output, { root } = {}) {
  const lines = linesOf(output);
  const tap = lines.some((l) => /^TAP version \d+/.test(l));
  const groups = tap ? tapFailures(lines, root) : specFailures(lines, root);
  const always = [];
  const fail = lines.findLast((l) => /^(# |ℹ )fail \d+/.test(l));
  if (fail) always.push(needle(fail, 'failure count'));
  const pass = lines.findLast((l) => /^(# |ℹ )pass \d+/.test(l));
  if (pass) always.push(needle(pass, 'pass count'));
  return selectNeedles(groups, always);
}

function tapFailures(lines, root) {
  const groups = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok \d+ - /.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !/^\s*\.\.\.$/.test(lines[end])) end++;
    const yaml = lines.slice(i + 1, end);
    if (yaml.some((l) => /failureType: 'subtestsFailed'/.test(l))) continue;
    const g = [needle(lines[i], 'failing test')];
    const errorAt = yaml.findIndex((l) => /^\s*error: /.test(l));
    if (errorAt >= 0) {
      const inline = /error: \|-$/.test(yaml[errorAt]) ? yaml.slice(errorAt + 1).find((l) => l.trim()) : yaml[errorAt];
      if (inline) g.push(needle(inline, 'error message'));
    }
    const location = yaml.find((l) => /^\s*location: '/.test(l));
    const stackAt = yaml.findIndex((l) => /^\s*stack: \|-$/.test(l));
    const ownStack = stackAt >= 0 ? yaml.slice(stackAt + 1).find((l) => isOwnFrame(`at ${l.trim()}`, root)) : null;
    if (ownStack) g.push(needle(ownStack, 'file:line where it failed'));
    else if (location) g.push(needle(location, 'test location'));
    for (const key of ['expected', 'actual']) {
      const l = yaml.find((x) => new RegExp(`^\\s*${key}: `).test(x));
      if (l) g.push(needle(l, `${key} value`));
    }
    groups.push(g);
    i = end;
  }
  return groups;
}

function specFailures(lines, root) {
  const groups = [];
  const summaryAt = lines.findIndex((l) => /^✖ failing tests:$/.test(l));
  const scanFrom = summaryAt >= 0 ? summaryAt : 0;
  for (let i = scanFrom; i < lines.length; i++) {
    if (!/^\s*✖ /.test(lines[i])) continue;
    const next = lines[i + 1] ?? '';
    if (!next.trim() || /^\s*(✖|✔|▶|ℹ|﹣)/.test(next)) continue; // a suite, failing through its tests
    let end = i + 1;
    while (end < lines.length && !/^\s*(✖|✔|▶|ℹ) |^test at /.test(lines[end])) end++;
    const body = lines.slice(i + 1, end);
    const g = [needle(lines[i], 'failing test')];
    const message = body.find((l) => l.trim());
    if (message) g.push(needle(message, 'error message'));
    const location = /^test at /.test(lines[i - 1] ?? '') ? lines[i - 1] : null;
    if (location) g.push(needle(location, 'test location'));
    const own = body.find((l) => /^\s+at /.test(l) && isOwnFrame(l, root));
    if (own) g.push(needle(own, 'file:line where it failed'));
    const values = body.filter((l) => /^\s*\S.* !==? \S/.test(l) || /^\s+(actual|expected): /.test(l));
    g.push(...values.slice(0, 2).map((l) => needle(l, 'expected / actual')));
    groups.push(g);
    i = end - 1;
  }
  return groups;
}
