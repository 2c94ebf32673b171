import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needleInView } from '../../src/bench/needles.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressText } from '../../src/compress/compress-text.js';
import { detectKind } from '../../src/compress/detect.js';
import { readStructure } from '../../src/compress/structure/index.js';

/**
 * The structure rules on real outputs of real tools (fixtures/outputs, SOURCE.md says what was
 * run and what a reader of each needs). Each row: the output, the kind it is, and fragments of
 * the lines a reader needs: the rules must mark each of those lines as one that stays.
 */
const CASES: Array<[file: string, kind: string, needed: string[]]> = [
  ['traceback/python-chained.txt', 'trace', ['TimetableError: line4.json: not a timetable', 'json.decoder.JSONDecodeError: Expecting property name', 'line 11, in parse_stops', 'line 21, in timetable_file', 'The above exception was the direct cause']],
  ['traceback/python-exception-group.txt', 'trace', ['ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)', "ConnectionResetError: sensor 'south' dropped the connection", "ValueError: could not convert string to float: 'n/a'", 'line 12, in read_sensor', 'line 13, in read_sensor', 'line 17, in average_temperature']],
  ['traceback/python-recursion.txt', 'trace', ['RecursionError: maximum recursion depth exceeded', 'line 17, in count_items']],
  ['traceback/node-cause.txt', 'trace', ['Error: radio: cannot start with playlist evening.m3u', 'at startRadio (/tmp/headroom-outputs/node-cause/radio.js:22:11)', '[cause]: Error: /tmp/headroom-outputs/node-cause/evening.m3u:4: not a stream address', 'at parseStream (/tmp/headroom-outputs/node-cause/radio.js:9:11)', '[cause]: TypeError: Invalid URL', 'at parseStream (/tmp/headroom-outputs/node-cause/radio.js:7:12)']],
  ['traceback/node-unhandled-rejection.txt', 'trace', ['TypeError: fetch failed', 'fetchDock (', 'Error: connect ECONNREFUSED 127.0.0.1']],
  ['traceback/java-caused-by.txt', 'trace', ['TicketImporter$ImportException: cannot import sales-2026-12-06.csv', 'Caused by: java.lang.IllegalArgumentException: bad sale row', 'Caused by: java.lang.NumberFormatException: For input string: "1O5"', 'TicketImporter.parseRow(TicketImporter.java:20)', 'TicketImporter.parseRow(TicketImporter.java:22)']],
  ['traceback/go-panic.txt', 'trace', ['panic: runtime error: index out of range [5] with length 5', 'main.go:16']],
  ['traceback/go-deadlock-many-goroutines.txt', 'trace', ['fatal error: all goroutines are asleep - deadlock!', 'main.go:39 +0x1c7']],
  ['traceback/rust-panic-backtrace.txt', 'trace', ["panicked at src/main.rs:10:65:", 'called `Result::unwrap()` on an `Err` value: ParseIntError', 'at ./src/main.rs:10:65']],
  ['traceback/c-asan-heap-overflow.txt', 'trace', ['ERROR: AddressSanitizer: heap-buffer-overflow', 'histogram.c:14', 'SUMMARY: AddressSanitizer: heap-buffer-overflow']],
  ['traceback/go-race.txt', 'trace', ['WARNING: DATA RACE', 'Read at 0x00c000016270 by goroutine 7:', 'Previous write at 0x00c000016270 by goroutine 8:', 'go-race/main.go:15 +0xd0', 'go-race/main.go:24 +0x2e9']],
  ['traceback/c-tsan-race.txt', 'trace', ['WARNING: ThreadSanitizer: data race', 'Read of size 8 at 0x55e65ba11058 by thread T2:', 'Previous write of size 8 at 0x55e65ba11058 by thread T1:', 'pump /tmp/headroom-outputs/c-tsan-race/meter.c:10', 'SUMMARY: ThreadSanitizer: data race']],
  ['test/pytest-verbose.txt', 'test', ['2 failed, 103 passed', '____ test_cup_of_flour_weighs_125_grams ____', '____ test_stew_for_six ____', 'assert 120 == 125', 'test_recipes.py:44']],
  ['test/pytest-short.txt', 'test', ['test_left_before_entering_is_rejected ____', "E   Failed: DID NOT RAISE <class 'ValueError'>", 'tests/test_parking.py:35', 'parking.py:10: in parse_stamp', "E   ValueError: time data '2026-03-02T11:15'", '2 failed, 10 passed']],
  ['test/unittest-verbose.txt', 'test', ['ERROR: test_pause_stops_both_clocks', "AttributeError: 'ChessClock' object has no attribute 'pause'", 'FAIL: test_display_after_opening', 'FAILED (failures=1, errors=1, skipped=1)', 'Ran 10 tests']],
  ['test/jest.txt', 'test', ['applyOrder › the tenth drink is free', 'expect(received).toEqual(expected)', 'Tests:       1 failed, 11 passed, 12 total']],
  ['test/vitest-loans.txt', 'test', ['fineCents > counts a return in the evening of the due day as on time', 'overdueNotice > lists late books and the total', "TypeError: Cannot read properties of null (reading 'email')", 'src/loans.js:18:16', 'Tests  3 failed | 4 passed (7)']],
  ['test/mocha-spec.txt', 'test', ['5 passing', '2 failing', '1) frostHours', 'Error: station ridge-3 is offline since 2026-02-11T04:00Z']],
  ['test/node-test-tap.txt', 'test', ['not ok 3 - uses the last seats of a row', 'not ok 3 - accepts lower-case labels', '# fail 2']],
  ['test/go-test-verbose.txt', 'test', ['--- FAIL: TestParse/space_between_parts', 'timer_test.go:26: Parse("1h 15m")', 'FAIL\texample.com/kitchen/timer']],
  ['test/cargo-test.txt', 'test', ['tests::mixing_rounds_to_nearest', 'left: "#7f7f0f"', 'right: "#808010"', 'test result: FAILED. 5 passed; 3 failed']],
  ['test/junit4.txt', 'test', ['Tests run: 10,  Failures: 2', '1) hyphenatesShortInputGracefully(isbn.IsbnTest)', '2) hyphenatesLikeThePublisher(isbn.IsbnTest)', 'org.junit.ComparisonFailure: expected:<978-0-306[-4]0615-7> but was:<978-0-306[4-]0615-7>']],
  ['build/gcc-errors.txt', 'build', ['thermostat.h:12:50: error', 'zone.c:10:23: error', 'zone.c:16:25: error', 'format.c:13:26: error', 'main.c:14:32: error', 'format.c:7:62: warning']],
  ['build/clang-errors.txt', 'build', ['2 warnings and 3 errors generated.', 'playlist.c:8:31: error', 'playlist.c:18:27: error', 'playlist.c:25:20: error']],
  ['build/g++-template-error.txt', 'build', ['results.cpp:25:14:   required from here', 'results.cpp:32:19:   required from here', "error: no match for ‘operator-’", "error: no match for ‘operator<’"]],
  ['build/tsc-errors.txt', 'build', ["error TS2304: Cannot find name 'formatHeader'", 'error TS2554', 'error TS2353']],
  ['build/rustc-errors.txt', 'build', ['error[E0308]: mismatched types', '--> src/main.rs:38:59', 'error[E0502]', 'error[E0382]', 'error: could not compile `ferry-queue`']],
  ['build/go-build-errors.txt', 'build', ['elevator/elevator.go:7:2: too many errors']],
  ['build/go-vet.txt', 'build', ['meter.go:65:2', 'meter.go:27:17', 'meter.go:13:2', 'meter.go:60:2']],
  ['build/javac-errors.txt', 'build', ['5 errors', 'src/gym/Billing.java:14: error', 'src/gym/Billing.java:45: error']],
  ['build/mypy-errors.txt', 'build', ['Found 7 errors in 1 file (checked 3 source files)', 'poll/count.py:11: error', 'poll/count.py:43: error']],
  ['build/eslint-stylish.txt', 'build', ['✖ 16 problems (13 errors, 3 warnings)', 'eqeqeq']],
  ['build/make-link-error.txt', 'build', ["undefined reference to `ean13_render'", 'collect2: error: ld returned 1 exit status', 'make: *** [Makefile:6: barcode] Error 1']],
];

const read = (file: string) => readFileSync(new URL(`../../fixtures/outputs/${file}`, import.meta.url), 'utf8');

describe.each(CASES)('%s', (file, kind, needed) => {
  const text = read(file);
  const lines = text.split('\n');

  it(`is a ${kind} output`, () => {
    expect(detectKind(text).kind).toBe(kind);
  });

  it('compresses the same whether detection read its structure first or not', () => {
    const store = new FileCcrStore(mkdtempSync(join(tmpdir(), 'hr-structure-once-')));
    const detected = compressText(text, { query: 'why does it fail', store });
    const given = compressText(text, { query: 'why does it fail', kind: detected.kind, store });
    expect(given.text).toBe(detected.text);
  });

  it('marks every line a reader needs as one that stays', () => {
    const { marks } = readStructure(lines);
    for (const fragment of needed) {
      const at = lines.findIndex((l) => l.includes(fragment));
      expect(at, `"${fragment}" is in the output`).toBeGreaterThanOrEqual(0);
      expect(marks.must[at], `"${lines[at]}" must stay`).toBe(1);
    }
  });
});

describe('what the rules fold', () => {
  it('library frames of a Python traceback never must stay, and but for the innermost are filler', () => {
    const lines = read('traceback/python-chained.txt').split('\n');
    const { marks } = readStructure(lines);
    const frames = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*File "/.test(l));
    expect(frames.some(([l]) => l.includes('/lib/python3.11/'))).toBe(true);
    // The innermost frame of each traceback is the last before its exception line (unindented).
    const innermost = frames.filter(([, i], k) => {
      const next = frames[k + 1]?.[1] ?? lines.length;
      return lines.slice(i + 1, next).some((l) => /^\S/.test(l));
    });
    for (const [l, i] of frames) {
      const library = l.includes('/lib/python3.11/');
      if (!library) expect(marks.must[i], l).toBe(1);
      else {
        expect(marks.must[i], l).toBe(0);
        expect(marks.filler[i], l).toBe(innermost.some(([, k]) => k === i) ? 0 : 1);
      }
    }
  });

  it('a repeated frame of a deep recursion is filler after its first time', () => {
    const lines = read('traceback/java-stackoverflow.txt').split('\n');
    const { marks } = readStructure(lines);
    const recursing = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('org.chart.OrgChart.depth(OrgChart.java:20)'));
    expect(recursing.length).toBeGreaterThan(100);
    expect(marks.filler[recursing[0]![1]]).toBe(0);
    for (const [, i] of recursing.slice(1)) expect(marks.labels[i]).toBe('repeated frame');
  });

  it('passing tests are filler, counted in the marker', () => {
    const lines = read('test/pytest-verbose.txt').split('\n');
    const { marks } = readStructure(lines);
    const passed = lines.map((l, i) => [l, i] as const).filter(([l]) => / PASSED\b/.test(l));
    expect(passed.length).toBe(103);
    for (const [l, i] of passed) expect(marks.labels[i], l).toBe('passing test');
  });
});

describe('compressed, the big outputs keep what their reader needs', () => {
  const store = new FileCcrStore(mkdtempSync(join(tmpdir(), 'headroom-structure-')));
  const BIG: Array<[file: string, needed: string[], maxShare: number]> = [
    ['test/pytest-verbose.txt', ['2 failed, 103 passed', 'test_cup_of_flour_weighs_125_grams', 'assert 120 == 125', 'test_stew_for_six'], 0.6],
    ['traceback/java-stackoverflow.txt', ['Exception in thread "main" java.lang.StackOverflowError', 'org.chart.OrgChart.depth(OrgChart.java:20)', 'org.chart.OrgChart.depth(OrgChart.java:16)'], 0.1],
    ['traceback/python-recursion-mutual.txt', ['RecursionError: maximum recursion depth exceeded', 'line 15, in count_items', 'line 19, in count_sections', 'line 24, in main'], 0.05],
    ['log/node-http-service.txt', ["POST /api/jobs failed: TypeError: Cannot read properties of undefined (reading 'toUpperCase')", 'duplicate job for banner.pdf refused', 'pricePerPage ('], 0.4],
  ];
  it.each(BIG)('%s', (file, needed, maxShare) => {
    const text = read(file);
    const r = compressText(text, { store });
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore * maxShare);
    for (const fragment of needed) {
      const line = text.split('\n').find((l) => l.includes(fragment))!;
      expect(needleInView(line.trim(), r.text), line).toBe(true);
    }
  });
});
