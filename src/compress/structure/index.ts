import { markDiagnostics } from './diagnostics.js';
import { emptyMarks, type Marks } from './marks.js';
import { markTestReport } from './test-report.js';
import { markTracebacks } from './traceback.js';

/** The structure rules' marks for the lines of one output, and how much of each structure they saw. */
export interface Structure {
  marks: Marks;
  /** Weight of test-report evidence (summaries, failures, passing tests). */
  tests: number;
  /** Compiler and linter diagnostics found. */
  diagnostics: number;
  /** Of those, the errors. */
  errors: number;
  /** Stack-trace blocks found. */
  traces: number;
}

/** Run every structure rule over the lines; each marks what it recognises. */
export function readStructure(lines: readonly string[]): Structure {
  const marks = emptyMarks(lines.length);
  const traces = markTracebacks(lines, marks);
  const { found: diagnostics, errors } = markDiagnostics(lines, marks);
  const tests = markTestReport(lines, marks);
  return { marks, tests, diagnostics, errors, traces };
}

let lastWhole: { text: string; structure: Structure } | undefined;

/**
 * Detection reads the structure of every output it samples, and the line-stream compressors
 * read it again: for an output the sample holds whole, detection keeps what it read
 * (`keepForCompression`) and the compressor of the same text takes it (`takeKept`), once: the
 * compressor changes its marks.
 */
export function keepForCompression(text: string, structure: Structure): void {
  lastWhole = { text, structure };
}

export function takeKept(text: string): Structure | undefined {
  const kept = lastWhole;
  if (!kept || kept.text !== text) return undefined;
  lastWhole = undefined;
  return kept.structure;
}

/** The kind a structure makes an output, when it is clearly one: a test run, a build, a crash. */
export function structuredKind(s: Structure, lines: number): 'test' | 'build' | 'trace' | undefined {
  if (s.tests >= 6 && s.tests >= lines * 0.05) return 'test';
  // A crash is a crash even when the build before it warned about something.
  if (s.traces >= 1 && s.errors === 0) return 'trace';
  if (s.diagnostics >= 2 || (s.diagnostics >= 1 && lines < 40)) return 'build';
  if (s.traces >= 1) return 'trace';
  return undefined;
}
