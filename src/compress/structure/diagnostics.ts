import { mark, tie, WEIGHT, type Marks } from './marks.js';

/**
 * Compiler, type-checker and linter diagnostics: gcc/clang, go build/vet, javac, mypy,
 * pyflakes-style `file:line: message`, tsc (both formats), rustc/cargo, eslint (stylish and
 * unix), MSVC. Every diagnostic's header with its location stays (errors before warnings,
 * notes with their diagnostic); its code excerpt and caret lines go with it; the build's
 * summary stays. Returns how many diagnostics it found, and how many errors (for the content kind).
 */
export function markDiagnostics(lines: readonly string[], m: Marks): { found: number; errors: number } {
  let found = 0;
  let errors = 0;
  let head = -1;
  let eslintFile = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 2000) continue;
    const sev = severityOf(line);
    if (sev !== undefined) {
      found++;
      if (sev === 'error') errors++;
      // Notes and help belong to the diagnostic before them.
      if (sev === 'note' && head >= 0) {
        mark(m, i, WEIGHT.context);
        tie(m, i, head);
        continue;
      }
      mark(m, i, sev === 'error' ? WEIGHT.essential : WEIGHT.detail, sev === 'error' || sev === 'warning');
      head = i;
      if (ESLINT_ROW.test(line) && eslintFile >= 0) {
        mark(m, eslintFile, WEIGHT.locate, true);
        tie(m, i, eslintFile);
      }
      continue;
    }
    if (BUILD_SUMMARY.test(line)) {
      mark(m, i, WEIGHT.essential, true);
      head = -1;
      continue;
    }
    if (ESLINT_FILE.test(line)) {
      eslintFile = i;
      head = -1;
      continue;
    }
    if (head >= 0 && i - head <= MAX_EXCERPT && EXCERPT.test(line)) {
      // rustc's `--> file:line:col` is where the diagnostic is: it weighs like the header.
      const arrow = /^\s*--> \S+:\d+/.test(line);
      mark(m, i, arrow ? WEIGHT.locate : WEIGHT.context, arrow);
      tie(m, i, head);
      continue;
    }
    if (line.trim() === '' || !/^\s/.test(line)) head = -1;
  }
  return { found, errors };
}

const MAX_EXCERPT = 12;

type Severity = 'error' | 'warning' | 'note';

/** The diagnostic formats, each with where its severity word is. */
const DIAGNOSTIC_RES: readonly RegExp[] = [
  // gcc, clang, go vet, javac, mypy, swift, eslint --format unix, ld: file:line[:col]: severity: message
  /^\S.*?:\d+(?::\d+)?:\s*(fatal error|error|warning|note|remark|info|help)\b\s*(?:\[[^\]]*\])?:?\s/,
  // tsc: file(line,col): error TS1234: message; MSVC: file(line): error C1234: message
  /^\S.*?\(\d+(?:,\d+)?\):\s*(fatal error|error|warning|note)\s+[A-Z]*\d+:/,
  // tsc --pretty: file:line:col - error TS1234: message
  /^\S.*?:\d+:\d+ - (error|warning|message) TS\d+:/,
  // rustc, cargo: error[E0308]: message / warning: message
  /^(error|warning|note|help)(?:\[[A-Z]\d+\])?: \S/,
  // eslint stylish: "  12:5  error  message  rule"
  /^\s+\d+:\d+\s+(error|warning)\s+\S/,
  // go build: file.go:line:col: message (no severity word: always an error)
  /^()\S+\.go:\d+:\d+: \S/,
  // the linker: an unresolved symbol, and where the link failed
  /^()\S+:\(\.[^)]*\): undefined reference to /,
  /^()(?:\/\S+\/)?ld(?:\.\w+)?: .*(?:undefined reference|cannot find|multiple definition)/,
  // gcc/clang: the project line a failing template was instantiated from
  /^()\S.*?:\d+:\d+:\s+required from here$/,
];

function severityOf(line: string): Severity | undefined {
  for (const re of DIAGNOSTIC_RES) {
    const m = re.exec(line);
    if (!m) continue;
    const word = (m[1] ?? '').toLowerCase();
    if (word === '' || word.includes('error')) return 'error';
    if (word === 'warning') return 'warning';
    return 'note';
  }
  return undefined;
}

const ESLINT_ROW = /^\s+\d+:\d+\s+(?:error|warning)\s+\S/;
/** eslint stylish prints each file's path alone on a line before its rows. */
const ESLINT_FILE = /^(?:\/|[A-Za-z]:\\|\.{0,2}\/?)\S+\.[cm]?[jt]sx?$|^(?:\/|\.{0,2}\/)\S+\.(?:vue|svelte|astro)$/;

/** A diagnostic's excerpt: rustc's gutter and arrows, source lines, carets and tildes, `= note:`. */
const EXCERPT = /^\s*-->\s|^\s*\d*\s*\|(?:\s|$)|^\s*[~^]+|^\s+\S|^\s*= (?:note|help):/;

/** A build's verdict: the count of errors, a failed compile or make target. */
const BUILD_SUMMARY = new RegExp(
  [
    /^Found \d+ errors?\b/, // tsc
    /^\d+ errors? generated\.?$|^\d+ warnings? (?:and \d+ errors? )?generated\.?$/, // clang
    /^error: (?:could not compile|aborting due to)/, // cargo, rustc
    /^g?make(?:\[\d+\])?: \*\*\* .*Error \d+/, // make
    /^\s*[✖×] \d+ problems? \(/, // eslint
    /^\d+ (?:errors?|warnings?)$/, // javac
    /^(?:BUILD FAILED|BUILD FAILURE|Compilation failed|FAILURE: Build failed)/, // gradle, maven, javac
    /^(?:Found|Success:) .*\b(?:errors?|no issues) (?:in|found)/, // mypy
    /^collect2: error: ld returned/, // gcc link
  ]
    .map((r) => r.source)
    .join('|'),
);
