// Faults and runs on fixtures/corpus-projects/typescript-scheduler (vitest, tsc, eslint).
const cron = 'src/cron.ts';
const calendar = 'src/calendar.ts';
const queue = 'src/queue.ts';
const retry = 'src/retry.ts';
const jobs = 'src/jobs.ts';

const VITEST = 'npx vitest run';
const TSC = 'npx tsc --noEmit';
const ESLINT = 'npx eslint';

export const schedulerProject = {
  project: 'typescript-scheduler',
  name: 'scheduler',
  faults: [
    {
      name: 'jitter-sign',
      description: 'Backoff jitter is subtracted instead of added.',
      edits: [{ file: retry, find: 'return Math.round(raw + spread);', replace: 'return Math.round(raw - spread);' }],
      task: 'Retry delays are not what the backoff docs promise.',
      runs: [
        { tool: 'vitest', cmd: VITEST, thought: 'Running the vitest suite.' },
        { tool: 'vitest', variant: 'retry', cmd: `${VITEST} test/retry.test.ts`, thought: 'Running only the retry tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'range-reversed',
      description: 'Cron ranges are read backwards (`a-b` becomes from b to a).',
      edits: [{ file: cron, find: '[from, to] = range.split(\'-\').map(Number);', replace: '[from, to] = range.split(\'-\').map(Number).reverse();' }],
      task: 'Schedules with hour or weekday ranges are rejected since the parser change.',
      runs: [
        { tool: 'vitest', cmd: VITEST, thought: 'Running all tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'Verbose reporter, to see every case.' },
        { tool: 'vitest', variant: 'cron', cmd: `${VITEST} test/cron.test.ts`, thought: 'Only the cron parser tests.' },
      ],
    },
    {
      name: 'weekday-shifted',
      description: 'The weekday of a date is taken one too high when matching.',
      edits: [
        { file: calendar, find: '    schedule.weekday.has(at.getUTCDay())\n', replace: '    schedule.weekday.has(at.getUTCDay() + 1)\n' },
        { file: calendar, find: '&& schedule.weekday.has(at.getUTCDay());', replace: '&& schedule.weekday.has(at.getUTCDay() + 1);' },
      ],
      task: 'Weekday-only jobs ran on Saturday and skipped Monday.',
      runs: [
        { tool: 'vitest', cmd: VITEST, thought: 'Running the test suite.' },
        { tool: 'vitest', variant: 'calendar-filter', cmd: `${VITEST} -t nextRun`, thought: 'Only the next-run tests, by name.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'priority-inverted',
      description: 'The run queue prefers lower priorities.',
      edits: [{ file: queue, find: 'if (a.priority !== b.priority) return a.priority > b.priority;', replace: 'if (a.priority !== b.priority) return a.priority < b.priority;' }],
      task: 'Low-priority jobs run before urgent ones scheduled at the same minute.',
      runs: [
        { tool: 'vitest', variant: 'queue', cmd: `${VITEST} test/queue.test.ts test/jobs.test.ts`, thought: 'Running the queue and job planning tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'Verbose run of everything.' },
      ],
    },
    {
      name: 'retry-loses-cause',
      description: 'RetryError is thrown without the last error as its cause.',
      edits: [{ file: retry, find: 'throw new RetryError(job, policy.attempts, { cause: lastError });', replace: 'throw new RetryError(job, policy.attempts, { cause: undefined });' }],
      task: 'Failed job alerts no longer say what the underlying error was.',
      runs: [
        { tool: 'vitest', variant: 'retry', cmd: `${VITEST} test/retry.test.ts`, thought: 'Running the retry tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'default-priority-zero',
      description: 'Jobs without a priority default to 0 instead of 5.',
      edits: [{ file: jobs, find: 'priority: z.number().int().min(0).max(9).default(5),', replace: 'priority: z.number().int().min(0).max(9).default(0),' }],
      task: 'Jobs without an explicit priority are starved.',
      runs: [
        { tool: 'vitest', cmd: VITEST, thought: 'Running the tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'drain-strict',
      description: '`drainDue` leaves runs due exactly now in the queue.',
      edits: [{ file: queue, find: 'this.heap[0].due <= now)', replace: 'this.heap[0].due < now)' }],
      task: 'Jobs scheduled exactly at the tick are delayed to the next one.',
      runs: [
        { tool: 'vitest', cmd: VITEST, thought: 'Running the test suite.' },
        { tool: 'vitest', variant: 'bail', cmd: `${VITEST} --bail 1`, thought: 'Stop at the first failing test.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'daily-alias-short',
      description: 'The @daily alias has four fields.',
      edits: [{ file: cron, find: "'@daily': '0 0 * * *',", replace: "'@daily': '0 0 * *'," }],
      task: 'A job using the daily shortcut fails to load.',
      runs: [
        { tool: 'vitest', variant: 'cron', cmd: `${VITEST} test/cron.test.ts`, thought: 'Running the cron tests.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'weekday-field-renamed',
      description: '`CronSchedule.weekday` renamed to `dayOfWeek` in the interface only.',
      edits: [{ file: cron, find: '  weekday: Set<number>;\n}', replace: '  dayOfWeek: Set<number>;\n}' }],
      task: 'I started renaming a field of the cron schedule type. Finish it.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'The compiler will list every place to update.' },
        { tool: 'tsc', variant: 'extended', cmd: `${TSC} --extendedDiagnostics`, thought: 'Again with extended diagnostics, to also see how long the check takes.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'due-as-date',
      description: '`QueuedRun.due` typed as a Date.',
      edits: [{ file: queue, find: '  due: number;\n  priority: number;\n}', replace: '  due: Date;\n  priority: number;\n}' }],
      task: 'Type errors all over after I changed the queue entry type.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running the type checker.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files read.' },
      ],
    },
    {
      name: 'backoff-string-attempt',
      description: '`backoff` takes the attempt as a string.',
      edits: [{ file: retry, find: 'export function backoff(attempt: number,', replace: 'export function backoff(attempt: string,' }],
      task: 'The type check fails in the retry module.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running tsc.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
        { tool: 'tsc', variant: 'extended', cmd: `${TSC} --extendedDiagnostics`, thought: 'Again with extended diagnostics.' },
      ],
    },
    {
      name: 'type-import-dropped',
      description: 'The CronSchedule type import dropped from calendar.ts.',
      edits: [{ file: calendar, find: "import { type CronSchedule } from './cron.js';\n", replace: '' }],
      task: 'The calendar module fails to compile after an import cleanup.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running tsc.' },
        { tool: 'tsc', variant: 'extended', cmd: `${TSC} --extendedDiagnostics`, thought: 'tsc with extended diagnostics.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'next-run-optional',
      description: '`nextRun` returns undefined instead of throwing when nothing is found.',
      edits: [
        { file: calendar, find: 'export function nextRun(schedule: CronSchedule, after: Date, limitDays = 366): Date {', replace: 'export function nextRun(schedule: CronSchedule, after: Date, limitDays = 366): Date | undefined {' },
        { file: calendar, find: '  throw new RangeError(`no run within ${limitDays} days after ${after.toISOString()}`);', replace: '  return undefined;' },
      ],
      task: 'We want nextRun to return nothing instead of throwing. I changed it; does the rest compile?',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Type check the project.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read, to be sure the tests are included.' },
      ],
    },
    {
      name: 'push-renamed',
      description: '`RunQueue.push` renamed to `enqueue` in queue.ts only.',
      edits: [{ file: queue, find: '  push(run: QueuedRun): void {', replace: '  enqueue(run: QueuedRun): void {' }],
      task: 'I renamed the queue method for adding runs. What still calls the old name?',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running tsc to find the callers.' },
        { tool: 'vitest', variant: 'queue', cmd: `${VITEST} test/queue.test.ts`, thought: 'Running the queue tests.' },
        { tool: 'tsc', variant: 'explain-files', cmd: `${TSC} --explainFiles`, thought: 'Type check and explain why each file is included.' },
        { tool: 'vitest', variant: 'verbose', cmd: `${VITEST} --reporter=verbose`, thought: 'All tests with the verbose reporter.' },
      ],
    },
    {
      name: 'implicit-any-helper',
      description: 'A new helper with untyped parameters, an unused local and a missing return path.',
      edits: [{ file: calendar, find: 'export function nextRuns(', replace: 'export function describeRuns(runs, zone) {\n  const count = runs.length;\n  if (zone) return runs.map((r) => r.toISOString()).join(", ");\n}\n\nexport function nextRuns(' }],
      task: 'I added a quick helper to print run times; the build is unhappy.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running the type checker.' },
        { tool: 'eslint', cmd: `${ESLINT} .`, thought: 'And the linter.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'lint-loose-code',
      description: 'Loose equality, `let` that is never reassigned, `any` and a console call added across the sources.',
      edits: [
        { file: cron, find: "const step = stepText === undefined ? 1 : Number(stepText);", replace: "let step = stepText == undefined ? 1 : Number(stepText);" },
        { file: cron, find: "    if (range === '*') {", replace: "    if (range == '*') {" },
        { file: calendar, find: '  const runs: Date[] = [];', replace: '  let runs: Date[] = [];\n  console.log(`planning ${count} runs`);' },
        { file: jobs, find: 'export function defineJobs(inputs: JobInput[]): ScheduledJob[] {', replace: 'export function defineJobs(inputs: any[]): ScheduledJob[] {' },
        { file: retry, find: '  let lastError: unknown;', replace: '  let lastError: any;\n  let unusedCounter = 0;' },
      ],
      task: 'CI lint job fails on my branch. Clean it up.',
      runs: [
        { tool: 'eslint', cmd: `${ESLINT} .`, thought: 'Running ESLint on the whole project.' },
        { tool: 'eslint', variant: 'console-as-error', cmd: `${ESLINT} . --rule 'no-console: error'`, thought: 'Linting everything with console calls as errors, as CI does.' },
      ],
    },
    {
      name: 'lint-test-shortcuts',
      description: 'Tests with unused imports, `any` casts and non-null assertions mixed with loose equality.',
      edits: [
        { file: 'test/queue.test.ts', find: "import { RunQueue } from '../src/queue.js';", replace: "import { RunQueue, type QueuedRun } from '../src/queue.js';\nimport { parseCron } from '../src/cron.js';" },
        { file: 'test/queue.test.ts', find: "    expect(q.peek()?.due).toBe(50);", replace: "    const top: any = q.peek();\n    expect(top.due == 50).toBe(true);" },
        { file: 'test/retry.test.ts', find: '    let calls = 0;', replace: '    let calls = 0;\n    let unused = calls;' },
        { file: 'test/jobs.test.ts', find: "    const [, report] = defineJobs(JOBS);", replace: "    const [, report] = defineJobs(JOBS as any);" },
        { file: 'test/calendar.test.ts', find: "    const s = parseCron('30 9 * * 1');", replace: "    var s = parseCron('30 9 * * 1');" },
      ],
      task: 'Lint fails on the test files after a rushed change.',
      runs: [
        { tool: 'eslint', cmd: `${ESLINT} test`, thought: 'Linting the tests.' },
      ],
    },
    {
      name: 'readonly-fields-written',
      description: 'The parser sorts the readonly FIELDS table in place and writes to a field spec.',
      edits: [{ file: cron, find: '  const parts = text.split(/\\s+/);', replace: '  const parts = text.split(/\\s+/);\n  FIELDS.sort((a, b) => a.min - b.min);\n  FIELDS[0].max = 59;\n  FIELDS = [...FIELDS];' }],
      task: 'The cron module fails type checking after an optimisation.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running tsc.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'retry-generic-mismatch',
      description: 'A retried job declared to return a number returns a string, and the policy misses a field.',
      edits: [{ file: jobs, find: 'export function planRuns(', replace: "import { withRetry } from './retry.js';\n\nexport async function countRuns(job: string): Promise<number> {\n  return withRetry<number>(job, async (attempt) => `attempt ${attempt}`, { attempts: 3, baseMs: 100, maxMs: 1000 });\n}\n\nexport function planRuns(" }],
      task: 'I added a retried helper to the jobs module and the build broke.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running the type checker.' },
        { tool: 'tsc', variant: 'extended', cmd: `${TSC} --extendedDiagnostics`, thought: 'Again with extended diagnostics.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'zod-named-wrong',
      description: 'jobs.ts imports `Z` from zod, which has no such export.',
      edits: [{ file: jobs, find: "import { z } from 'zod';", replace: "import { Z as z } from 'zod';" }],
      task: 'The jobs module stopped compiling after I touched its imports.',
      runs: [
        { tool: 'tsc', cmd: TSC, thought: 'Running tsc.' },
        { tool: 'vitest', variant: 'jobs', cmd: `${VITEST} test/jobs.test.ts`, thought: 'Running the job tests.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
    {
      name: 'lint-unused-everywhere',
      description: 'Leftover debugging: unused imports and variables, console calls and `any` in every source file.',
      edits: [
        { file: cron, find: 'export function parseCron(expression: string): CronSchedule {', replace: 'export function parseCron(expression: string): CronSchedule {\n  const debug: any = { expression };\n  console.debug(debug);' },
        { file: calendar, find: 'const MINUTE = 60_000;', replace: 'const MINUTE = 60_000;\nconst HOUR = 60 * MINUTE;' },
        { file: queue, find: '  pop(): QueuedRun | undefined {', replace: '  pop(): QueuedRun | undefined {\n    let popped = 0;' },
        { file: retry, find: 'export const DEFAULT_POLICY', replace: 'import { parseCron } from \'./cron.js\';\n\nexport const DEFAULT_POLICY' },
        { file: jobs, find: '  const seen = new Set<string>();', replace: '  const seen = new Set<string>();\n  console.log(`defining ${jobs.length} jobs`);\n  let total: any = 0;' },
      ],
      task: 'Remove the leftovers from my debugging session; lint must pass.',
      runs: [
        { tool: 'eslint', cmd: `${ESLINT} .`, thought: 'Running ESLint over the project.' },
        { tool: 'tsc', cmd: TSC, thought: 'And tsc, which flags unused locals too.' },
        { tool: 'tsc', variant: 'list-files', cmd: `${TSC} --listFiles`, thought: 'Type check and list the files it read.' },
      ],
    },
  ],
};
