import { fill, mark, tie, WEIGHT, type Marks } from './marks.js';

/**
 * Stack traces of every common runtime: Python tracebacks, V8 (Node.js, browsers), the JVM
 * (Java, Kotlin, Scala), .NET, Go panics and goroutine dumps, Rust backtraces, sanitizer and
 * gdb frames, Ruby. What an agent acts on is the exception line with its message, the innermost
 * frame, and the frames in the project's own files; library frames and repeated frames (a
 * recursion) are what it can lose. This module finds those roles and marks them.
 */
export function markTracebacks(lines: readonly string[], m: Marks): number {
  const frames = lines.map(frameOf);
  let blocks = 0;
  for (let i = 0; i < lines.length; ) {
    if (!frames[i]) {
      i++;
      continue;
    }
    // A block: frames with the lines that belong to them (a Python frame's source line, a Go
    // frame's function line, a Rust frame's symbol line) in between.
    const start = i;
    let end = i;
    for (let j = i + 1; j < lines.length; j++) {
      if (frames[j]) end = j;
      // A message (an error's cause, the next exception of a chain) starts a stack of its own.
      else if (j - end > 2 || !belongsToFrame(lines[j]!) || isMessage(withoutGroupPrefix(lines[j]!).replace(CHAIN_PREFIX, ''))) break;
    }
    markBlock(lines, frames, start, end, m);
    blocks++;
    i = end + 1;
  }
  markMessages(lines, m);
  return blocks;
}

interface Frame {
  /** A path or class that tells the project's code from libraries. */
  where: string;
  /** The function, when the format names it. */
  symbol: string;
  /** Python lists the innermost frame last; the others first. */
  innermostLast: boolean;
}

/** Frame formats: the first group is where the frame is (a path or a class), the second, if any, its function. */
const FRAME_RES: ReadonlyArray<readonly [RegExp, boolean]> = [
  [/^\s*File "([^"]+)", line \d+(?:, in (.+))?$/, true], // Python
  [/^\s+at (?:(.+?) \()?((?:file:\/\/)?[^()\s]+?):\d+:\d+\)?(?: \{)?$/, false], // V8 (function first; ` {` opens the error's properties)
  [/^\s+at (?:.+? )?\((native|<anonymous>|node:[^)]+|internal\/[^)]+)\)$/, false], // V8 without a location
  [/^\s*❯ (?:(\S+) )?(\S+?):\d+:\d+$/, false], // vitest (function first)
  [/^\s*at ([\w$.<>[\]/-]+)\([^)]*\)(?: ~?\[[^\]]*\])?$/, false], // JVM
  [/^\s+at (\S.*\)) in (.+):line \d+$/, false], // .NET
  [/^(?:\t|\s{4,})(\S+\.go):\d+(?: \+0x[0-9a-f]+)?$/, false], // Go (a tab; the race detector indents with spaces)
  [/^\s+at (.+?):\d+:\d+$/, false], // Rust backtrace location
  [/^\s*#\d+\s+0x[0-9a-f]+ in (.+?)(?: (\S+?)(?::\d+)*)?$/, false], // sanitizers, gdb (function first)
  [/^\s+from (.+?):\d+:in /, false], // Ruby
  [/^\s*#\d+\s+(\S+) (\S+?):\d+(?::\d+)? \([^()\s]*\)$/, false], // ThreadSanitizer (function first, then file:line and the module)
];

/** What every frame format starts with: a cheap test that most lines fail. */
const FRAME_HINT = /^\s*(?:at |File "|❯ |#\d|from )|^\t|^\s{4,}\S+\.go:\d/;

/** Formats that give the function before the location. */
const FUNCTION_FIRST = new Set([1, 3, 8, 10]);

function frameOf(line: string): Frame | undefined {
  if (line.length > MAX_LINE) return undefined;
  const body = withoutGroupPrefix(line);
  if (!FRAME_HINT.test(body)) return undefined;
  for (const [k, [re, innermostLast]] of FRAME_RES.entries()) {
    const m = re.exec(body);
    if (!m) continue;
    const [a, b] = FUNCTION_FIRST.has(k) ? [m[2] ?? m[1]!, m[1] ?? ''] : [m[1]!, m[2] ?? ''];
    return { where: a, symbol: b, innermostLast };
  }
  return undefined;
}

const MAX_LINE = 3000;

/**
 * Python prints the tracebacks of an exception group behind `|` and `+-+--- 1 ---` rails;
 * the lines inside are ordinary traceback lines once those are taken off.
 */
function withoutGroupPrefix(line: string): string {
  const m = /^\s*(?:\|\s?|\+[-+]+(?: \d+ -+| \.\.\.)?\s*|\+ )/.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/** Lines found between frames: Python's source line, Go's and Rust's function lines, `... N more`. */
function belongsToFrame(line: string): boolean {
  return /^\s*\|\s{2,}\S|^\s{2,}\S|^\s*\.\.\. \d+ (?:more|common frames omitted)|^\s+\d+: \S|^\s*\[Previous line repeated/.test(line) || isCallLine(line);
}

const CALL_NAME_CHAR = /[\w./*()~[\]-]/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * A Go or Rust function line, `pkg.(*T).Method(0x1, ...)`: what `/^[\w./*()~[\]-]+\(.*\)$/`
 * matches, found from the last `(` of the name instead of trying every `(` against the rest of
 * the line (quadratic on a line of them).
 */
export function isCallLine(line: string): boolean {
  if (!line.endsWith(')')) return false;
  let open = -1;
  for (let i = 0; i < line.length && CALL_NAME_CHAR.test(line[i]!); i++) if (i > 0 && line[i] === '(') open = i;
  return open > 0 && open < line.length - 1 && !LINE_BREAK.test(line.slice(open + 1, -1));
}

const LIBRARY_PATH =
  /(?:^|[\\/])(?:site-packages|dist-packages|node_modules|\.cargo[\\/]registry|\.rustup|pkg[\\/]mod|vendor|libsanitizer|compiler-rt)[\\/]|^\(\/(?:usr\/)?lib|^(?:node:|internal[\\/]|<frozen |<string>|<anonymous>|native$)|[\\/]lib[\\/]python\d|^\/usr\/(?:local\/)?(?:lib|share|include)\/|^\/rustc\/|[\\/]go[\\/]src[\\/]|[\\/]libexec[\\/]/;
const LIBRARY_CLASS =
  /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.junit|junit|org\.apache\.maven|org\.gradle|worker\.org\.gradle|org\.testng|org\.springframework|io\.netty|reactor\.core|System|Microsoft)\./;
const LIBRARY_SYMBOL = /^(?:std::|core::|alloc::|<?std::|__rust|rust_begin_unwind|runtime\.|testing\.|reflect\.|syscall\.|__libc|_start\b|__GI_|__interceptor_|__asan|operator (?:new|delete)\b|(?:void |bool |int )?(?:std|__gnu_cxx)::|node:|process\.processTicksAndRejections|Module\._|Object\.<anonymous> \(node:)/;

/** Whether a frame is in library code (the standard library, installed packages, the runtime). */
function isLibraryFrame(where: string): boolean {
  return LIBRARY_PATH.test(where) || LIBRARY_CLASS.test(where) || LIBRARY_SYMBOL.test(where);
}

/** Project frames marked for detail (and kept) up to this many per block; the rest weigh less. */
const MAX_DETAILED = 8;

function markBlock(lines: readonly string[], frames: ReadonlyArray<Frame | undefined>, start: number, end: number, m: Marks): void {
  const idx: number[] = [];
  for (let i = start; i <= end; i++) if (frames[i]) idx.push(i);
  const innermostLast = frames[start]!.innermostLast;
  const seen = new Set<string>();
  const project: number[] = [];
  for (const i of idx) {
    const f = frames[i]!;
    const text = lines[i]!.trim();
    if (seen.has(text)) {
      fill(m, i, 'repeated frame');
      continue;
    }
    seen.add(text);
    if (isLibraryFrame(f.where) || isLibraryFrame(f.symbol) || isLibraryFrame(symbolAbove(lines, i))) fill(m, i, 'library frame');
    else project.push(i);
  }
  const innermost = innermostLast ? idx[idx.length - 1]! : idx[0]!;
  // The frame nearest the cause: the innermost one in the project's own code.
  const nearest = innermostLast ? project[project.length - 1] : project[0];
  // The innermost frame stays when it is the project's; inside a library it is worth a look
  // (where the library gave up) but the project frame nearest the cause is what is needed.
  if (m.filler[innermost]) mark(m, innermost, WEIGHT.context);
  else mark(m, innermost, WEIGHT.locate, true);
  if (nearest !== undefined) mark(m, nearest, WEIGHT.locate, true);
  // Runtimes that list the innermost frame first print the message right above the frames.
  // (Go and Rust put the innermost frame's function on the line above its location instead.)
  const above = start > 0 ? lines[start - 1]! : '';
  if (!innermostLast && above.trim() !== '') {
    if (belongsToFrame(above)) {
      mark(m, start - 1, WEIGHT.locate, true);
      tie(m, start - 1, start);
    } else mark(m, start - 1, WEIGHT.essential, true);
  }
  const ordered = innermostLast ? [...project].reverse() : project;
  ordered.forEach((i, k) => mark(m, i, k < MAX_DETAILED ? WEIGHT.detail : WEIGHT.context, k < MAX_DETAILED));
  // A frame's own lines (source line, function line) go with it.
  for (let i = start; i <= end; i++) {
    if (frames[i]) continue;
    const owner = innermostLast ? nearestFrame(frames, i, -1, start) : nearestFrame(frames, i, 1, end);
    if (/^\s*\.\.\. \d+ more|^\s*\[Previous line repeated/.test(lines[i]!)) fill(m, i, 'repeated frame');
    else if (owner !== undefined) {
      tie(m, i, owner);
      if (m.filler[owner]) fill(m, i, m.labels[owner]!);
    }
  }
}

/** The symbol line just above a location line (Go, Rust), which names the package. */
function symbolAbove(lines: readonly string[], i: number): string {
  const above = lines[i - 1] ?? '';
  const m = /^\s*(?:\d+: )?([\w.:<>*~/()-]+)/.exec(above);
  return m ? m[1]! : '';
}

/** The frame a between-line belongs to: Python's source line follows its frame, Go's and Rust's symbol precedes it. */
function nearestFrame(frames: ReadonlyArray<Frame | undefined>, i: number, dir: 1 | -1, limit: number): number | undefined {
  for (let j = i + dir; dir > 0 ? j <= limit : j >= limit; j += dir) if (frames[j]) return j;
  return undefined;
}

/** Exception and panic lines of every runtime, recognised on their own. */
const MESSAGE_RES: readonly RegExp[] = [
  /^(?:Exception in thread "[^"]*" |Caused by: |Suppressed: |\s*)?(?:[a-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Throwable|Failure|Fault|Exit|Interrupt|Warning|Group)(?:\[[\w.]+\])?(?::\s.*|:)?$/,
  /^(?:Uncaught |Unhandled ?(?:promise )?rejection:? )?(?:[A-Z]\w*)?Error(?: \[[\w-]+\])?: /i,
  /^panic: |^fatal error: |^\[signal \w+|^thread '[^']*'(?: \(\d+\))? panicked at |^error: test failed/,
  /^==\d+==ERROR: \w+Sanitizer|^SUMMARY: \w+Sanitizer|: runtime error: |^Segmentation fault|^Aborted \(core dumped\)/,
  // The race detector of Go and ThreadSanitizer: the warning, then each access and where it was.
  /^WARNING: (?:DATA RACE$|ThreadSanitizer: )|^\s*(?:Previous )?(?:[Rr]ead|[Ww]rite|[Aa]tomic (?:read|write))(?: of size \d+)? at 0x[0-9a-f]+ by (?:goroutine \d+|thread T\d+|main thread)/,
];

/** Traceback headers; an exception group's `+` and its spaces are one optional part (`\s*\+?\s*` tried every split of a run of spaces). */
export const TRACEBACK_HEADER = /^Traceback \(most recent call last\):$|^During handling of the above exception|^The above exception was the direct cause|^\s*(?:\+\s*)?Exception Group Traceback/;

/**
 * The messages: every exception or panic line (with the lines that continue it), the
 * traceback headers, and a Python traceback's last line, whatever it says.
 */
function markMessages(lines: readonly string[], m: Marks): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > MAX_LINE) continue;
    const body = withoutGroupPrefix(line).replace(CHAIN_PREFIX, '');
    if (TRACEBACK_HEADER.test(body)) {
      mark(m, i, WEIGHT.context, true);
      continue;
    }
    const message = isMessage(body);
    if (m.filler[i] || (m.weight[i]! > 0 && m.tiedTo[i] === -1 && !message)) continue;
    if (!message && !endsPythonTraceback(lines, i)) continue;
    mark(m, i, WEIGHT.essential, true);
    m.tiedTo[i] = -1;
    // A message spans the lines after it up to a blank line, a frame or another message
    // (Rust puts it on the line after "panicked at").
    for (let j = i + 1; j < lines.length && j <= i + 8; j++) {
      const next = withoutGroupPrefix(lines[j]!);
      if (next.trim() === '' || frameOf(next) || isMessage(next) || TRACEBACK_HEADER.test(next)) break;
      mark(m, j, WEIGHT.detail);
      tie(m, j, i);
      if (j === i + 1 && PANIC_AT.test(body)) mark(m, j, WEIGHT.essential, true);
    }
  }
}

/** Node prints an error's causes indented behind `[cause]: `. */
const CHAIN_PREFIX = /^\s*\[cause\]:\s*/;

/** Rust names the panic's place on one line and says its message on the next. */
const PANIC_AT = /panicked at .*:$/;

function isMessage(line: string): boolean {
  return MESSAGE_HINT.test(line) && MESSAGE_RES.some((re) => re.test(line));
}

/** A word every message format holds: a cheap test that most lines fail. */
const MESSAGE_HINT = /error|exception|throwable|failure|fault|exit|interrupt|warning|group|panic|signal|sanitizer|segmentation|aborted| by (?:goroutine|thread|main thread)/i;

/** The first unindented line after a Python traceback's frames is its exception, whatever its name. */
function endsPythonTraceback(lines: readonly string[], i: number): boolean {
  const line = withoutGroupPrefix(lines[i]!);
  if (/^\s/.test(line) || line.trim() === '') return false;
  for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
    const above = withoutGroupPrefix(lines[j]!);
    if (/^\s*File "[^"]+", line \d+/.test(above)) return true;
    if (!/^\s/.test(above)) return false;
  }
  return false;
}
