import { fill, mark, tie, WEIGHT, type Marks } from './marks.js';

/**
 * Test runners' reports: pytest, unittest, jest, vitest, mocha, node:test and TAP, go test,
 * cargo test, JUnit with Maven, Gradle or its console runner, RSpec-like `N examples` lines.
 * What an agent acts on: the failing test's name, its assertion and the expected and actual
 * values, where it failed, and the summary. Passing tests are counted, not listed.
 * Returns the weight of the lines only a test report has (summaries, failure headers, passing
 * tests), for the content kind.
 */
export function markTestReport(lines: readonly string[], m: Marks): number {
  let evidence = 0;
  let failure = -1; // the failure header the following lines belong to
  const started = new Map<string, number>(); // go test: where each test's output began
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 2000) continue;
    if (SUMMARY.test(line)) {
      mark(m, i, WEIGHT.essential, true);
      evidence += 3;
      failure = -1;
      continue;
    }
    const run = GO_RUN.exec(line);
    if (run) {
      started.set(run[1]!, i);
      fill(m, i, 'passing test');
      continue;
    }
    if (FAILURE_HEADER.test(line)) {
      mark(m, i, WEIGHT.essential, true);
      evidence += 2;
      failure = i;
      markRunBlock(lines, i, started, m, true);
      i = markYamlBlock(lines, i, m, true);
      continue;
    }
    if (PASSING.test(line)) {
      fill(m, i, 'passing test');
      evidence++;
      markRunBlock(lines, i, started, m, false);
      i = markYamlBlock(lines, i, m, false);
      continue;
    }
    if (ASSERTION.test(line) || EXPECTED_ACTUAL.test(line)) {
      mark(m, i, WEIGHT.essential, true);
      if (failure >= 0) tie(m, i, failure);
      continue;
    }
    if (LOCATION.test(line)) {
      // Where a failure happened (in a failure's report, or saying what failed: some runners
      // print the check before the test's FAIL line); else a log line saying where it was written.
      const failing = failure >= 0 || FAILURE_WORDS.test(line);
      mark(m, i, failing ? WEIGHT.locate : WEIGHT.detail, failing);
      if (failure >= 0) tie(m, i, failure);
      continue;
    }
    if (DIFF_LINE.test(line) && failure >= 0 && i - failure < 60) {
      mark(m, i, WEIGHT.detail);
      tie(m, i, failure);
      continue;
    }
    if (PROGRESS.test(line)) {
      fill(m, i, 'progress line');
      continue;
    }
    // The rest of a failure's section (captured output, source context) weighs a little.
    if (failure >= 0 && line.trim() !== '' && i - failure < 40) mark(m, i, WEIGHT.context);
  }
  if (evidence > 0) fillPassingSections(lines, m);
  return evidence;
}

/** Lines between passing tests that say nothing else (suite names, blank lines) belong to them. */
const MAX_SECTION_GAP = 3;

/**
 * A run of at most MAX_SECTION_GAP lines the rules said nothing of, between two passing tests
 * (a spec reporter's `describe` names), is part of the passing section: filler with them.
 */
function fillPassingSections(lines: readonly string[], m: Marks): void {
  let lastPassing = -1;
  for (let i = 0; i < lines.length; i++) {
    if (m.labels[i] === 'passing test') {
      if (lastPassing >= 0 && i - lastPassing - 1 <= MAX_SECTION_GAP) {
        let quiet = true;
        for (let j = lastPassing + 1; j < i && quiet; j++) quiet = m.weight[j] === 0 && !m.must[j] && !FAILURE_WORDS.test(lines[j]!);
        if (quiet) for (let j = lastPassing + 1; j < i; j++) if (lines[j]!.trim() !== '') fill(m, j, 'passing test');
      }
      lastPassing = i;
    }
  }
}

/**
 * go test prints a test's output between `=== RUN   TestX` and its `--- FAIL: TestX` or
 * `--- PASS: TestX` line: a failing test's output is its report, a passing test's is filler.
 */
function markRunBlock(lines: readonly string[], end: number, started: Map<string, number>, m: Marks, failing: boolean): void {
  const name = /^\s*--- (?:FAIL|PASS|SKIP): (\S+)/.exec(lines[end]!)?.[1];
  const start = name === undefined ? undefined : started.get(name);
  if (start === undefined) return;
  started.delete(name!);
  for (let j = start + 1; j < end; j++) {
    if (GO_RUN.test(lines[j]!) || /^\s*--- (?:FAIL|PASS|SKIP): /.test(lines[j]!)) continue;
    if (!failing) fill(m, j, 'passing test');
    else if (m.tiedTo[j] === -1 && !m.must[j]) {
      const located = LOCATION.test(lines[j]!);
      mark(m, j, located ? WEIGHT.essential : WEIGHT.detail, located);
      tie(m, j, end);
    }
  }
  if (failing) mark(m, start, WEIGHT.context);
}

/** go test -v: a test starts. */
const GO_RUN = /^=== RUN\s+(\S+)/;

/** Lines of a failing test's TAP diagnostics kept whole; past them, the block weighs like context. */
const MAX_DIAGNOSTIC_LINES = 30;

/**
 * TAP (node:test, tap) follows a test's line with its YAML diagnostics, `---` to `...`: for a
 * failing test the assertion, expected and actual values and stack; for a passing one its
 * duration. Returns the last line of the block (or the test's line when there is none).
 */
function markYamlBlock(lines: readonly string[], head: number, m: Marks, failing: boolean): number {
  if (!/^\s*---\s*$/.test(lines[head + 1] ?? '')) return head;
  let j = head + 1;
  for (; j < lines.length && j - head <= 200; j++) {
    if (failing) {
      const k = j - head;
      mark(m, j, k <= MAX_DIAGNOSTIC_LINES ? WEIGHT.detail : WEIGHT.context, k <= MAX_DIAGNOSTIC_LINES);
      tie(m, j, head);
    } else fill(m, j, 'passing test');
    if (j > head + 1 && /^\s*\.\.\.\s*$/.test(lines[j]!)) return j;
  }
  return j - 1;
}

/** A test that failed, named: the header of its report or its line in the listing. */
const FAILURE_HEADER = new RegExp(
  [
    /^_{3,} .+ _{3,}$/, // pytest section
    /^(?:FAILED|ERROR) \S+(?:::\S+)?(?: - .*)?$/, // pytest short summary
    /^\S+::\S+.* (?:FAILED|ERROR)\b/, // pytest -v
    /^(?:FAIL|ERROR): \S+ \(.+\)$/, // unittest
    /^\s*● .+/, // jest
    /^\s*(?:FAIL|×|✕|✗|✖)\s+\S/, // jest/vitest/node:test spec
    /^\s*❯ \S+ \(\d+ tests? \| \d+ failed\)/, // vitest: a file with failures
    /^\s*\d+\) .+/, // mocha, JUnit console
    /^\s*not ok \d+/, // TAP
    /^\s*--- FAIL: \S+/, // go test
    /^FAIL\s+\S+/, // go test package
    /^test \S+ \.\.\. FAILED$/, // cargo test
    /^---- \S+ stdout ----$/, // cargo test section
    /^\[ERROR\] .+<<< (?:FAILURE|ERROR)!$/, // Maven surefire
    /^\s*\S+ > .+ FAILED$/, // Gradle
    /^\s*(?:Failed|Failing) tests?:/,
  ]
    .map((r) => r.source)
    .join('|'),
);

/** A run's summary: how many passed and failed. */
const SUMMARY = new RegExp(
  [
    /^=+ .*\b\d+ (?:passed|failed|errors?|skipped|xfailed|warnings?|deselected)\b.* =+$/, // pytest
    /^\s*(?:Tests?|Test Suites|Test Files|Suites|Snapshots):\s+\d/, // jest, vitest
    /^\s*Tests\s+\d+ (?:failed|passed)/, // vitest
    /^\s*\d+ (?:passing|failing|pending)\b/, // mocha
    /^# (?:tests|pass|fail|suites|cancelled|skipped|todo) \d+$/, // node:test, TAP
    /^(?:ok|FAIL)\s+\S+\s+(?:\d+(?:\.\d+)?s|\(cached\))/, // go test
    /^test result: (?:ok|FAILED)\./, // cargo test
    /^Tests run: \d+,\s+Failures: \d+/, // JUnit, surefire
    /^OK \(\d+ tests?\)$|^FAILURES!!!$/, // JUnit console
    /^Ran \d+ tests? in /, // unittest
    /^(?:FAILED|OK) \((?:failures|errors|skipped|expected failures)=\d+/, // unittest
    /^\d+ examples?, \d+ failures?/, // RSpec-style
    /^\s*\d+ tests? completed, \d+ failed/, // Gradle
    /^BUILD (?:SUCCESS|FAILURE)$|^\[ERROR\] Tests run:|^\[INFO\] Tests run:/, // Maven
    /^(?:FAIL|PASS|ok)$/, // go test last line
    /^\s*\d+ (?:tests? )?(?:passed|failed|ok|errors?)(?:, \d+ (?:passed|failed|skipped|errors?|ignored))+\b/, // small harnesses
  ]
    .map((r) => r.source)
    .join('|'),
);

/** A test that passed (or was skipped): counted in the marker, not kept. */
const PASSING = new RegExp(
  [
    /^\S+\.py::\S+ (?:PASSED|SKIPPED|XFAIL|XPASS)\b/, // pytest -v
    /^\s*(?:✓|✔|√)\s/, // jest, vitest, mocha, node:test spec
    /^\s*ok \d+ /, // TAP
    /^\s*--- (?:PASS|SKIP): /, // go test -v
    /^=== (?:PAUSE|CONT|NAME)\s/, // go test -v
    /^test \S+ \.\.\. (?:ok|ignored)$/, // cargo test
    /^\s*PASS\s+\S/, // jest per file
    /^\S+ \.\.\. ok$/, // unittest -v
    /^\s*\S+ > .+ PASSED$/, // Gradle
    /^\[INFO\] Running \S+$/, // Maven
  ]
    .map((r) => r.source)
    .join('|'),
);

/** Progress lines: dots per file, percentages, spinners. */
const PROGRESS = /^\S+\.py [.sxXfFE]+\s+\[\s*\d+%\]$|^[.sxXfFE]{10,}(?:\s+\[\s*\d+%\])?$|^\s*\.{3,}\s*$/;

/** An assertion and its message: pytest's `E` lines, assert/expect calls, assertion errors. */
const ASSERTION =
  /^E\s{2,}\S|^\s*(?:Assertion(?:Error)?|AssertError|assert(?:ion)? failed|Expected .+ (?:to|but)|expect\(.+\)\.|assert_eq!|assert!|panicked at)\b|^\s*(?:org\.opentest4j\.|junit\.framework\.|java\.lang\.)?AssertionFailedError|expected:<.*> but was:<.*>/i;

/** Expected and actual values, in the words each runner uses. */
const EXPECTED_ACTUAL = /^\s*(?:[-+]\s*)?(?:Expected|Received|Actual|expected|actual|received|left|right|got|want|Difference|Diff)\b\s*(?:value)?\s*(?::|=|\||\(|$)|^\s*- Expected\b|^\s*\+ Received\b|^\s*\+ expected - actual/;

/** Where a failure happened: `path:line` of a test file or the failing assertion. */
const LOCATION = /^\s*\S+\.(?:py|js|mjs|cjs|ts|tsx|jsx|go|rs|java|kt|rb|c|cc|cpp|cs|php):\d+(?::\d+)?(?:: |$)|^\s*>\s*\d+\s*\|/;

/** Words of a failed check. */
const FAILURE_WORDS = /\b(?:expected|got|want(?:ed)?|assert\w*|fail\w*|error|mismatch|actual|should)\b/i;

/** A line of an assertion diff: `- expected` / `+ actual` under a failure. */
const DIFF_LINE = /^\s*[-+] \S|^\s*[?^]\s/;
