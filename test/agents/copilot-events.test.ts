import * as fs from 'node:fs';
import * as os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCopilotEvents } from '../../src/agents/copilot-events.js';
import { emptyCounts, OUTPUT_KEEP_CHARS, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { scenarioSummaries } from '../helpers/learn-scenario.js';
import { peakHeapGrowth } from '../helpers/peak-heap.js';
import { readEvents } from '../helpers/reader-events.js';

// The Copilot CLI event reader on transcripts the real CLI wrote (fixtures/sessions/copilot and
// fixtures/sessions/learn/copilot, made by record-learn-gemini-copilot.gen.ts), and on damaged copies.

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const LEARN = join(FIXTURES, 'learn/copilot');

const readAll = (file: string, counts?: ReadCounts): Promise<SessionEvent[]> => readEvents(readCopilotEvents, file, counts);

/** One line per event: what a miner looks at. */
function summary(e: SessionEvent): string {
  switch (e.kind) {
    case 'user': return `user: ${e.text}`;
    case 'call': return `call ${e.tool}: ${e.command ?? ''}`;
    case 'result': return `result ${e.exitCode ?? '-'}${e.isError ? ' error' : ''}`;
    case 'rejection': return `rejection ${e.feedback ?? ''}`;
    case 'rewind': return `rewind ${e.to ?? ''}`;
    default: return e.kind;
  }
}

const temps: string[] = [];
function tempFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-copilot-events-'));
  temps.push(dir);
  const file = join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('readCopilotEvents on the recorded learn scenario', () => {
  const files = [1, 2, 3].map((n) => join(LEARN, `session-${n}`, 'events.jsonl'));

  it('gives each session its prompts, bash calls and exit codes in order', async () => {
    const got = await Promise.all(files.map(async (f) => (await readAll(f)).map(summary)));
    expect(got).toEqual(scenarioSummaries('bash'));
  });

  it('fills the event base: session id, cwd, time, file and line', async () => {
    const paths = fs.readFileSync(join(LEARN, 'paths.txt'), 'utf8');
    for (const file of files) {
      const events = await readAll(file);
      const first = JSON.parse(fs.readFileSync(file, 'utf8').split('\n', 1)[0]!) as { data: { sessionId: string; context: { cwd: string } } };
      expect(paths).toContain(`/${first.data.sessionId}/events.jsonl`);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      for (const e of events) {
        expect(e).toMatchObject({ agent: 'copilot', session: first.data.sessionId, cwd: first.data.context.cwd, file });
        expect(e.cwd).toMatch(/\/project$/);
        expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
        // The line is the record the event came from.
        const record = JSON.parse(lines[e.line - 1]!) as { timestamp: string };
        expect(record.timestamp).toBe(e.time);
        expect(e.subagent).toBeUndefined();
      }
    }
  });

  it('pairs calls and results by id, with the real outputs and the bash tool name', async () => {
    const events = await readAll(files[1]!);
    const calls = events.filter((e) => e.kind === 'call');
    const results = events.filter((e) => e.kind === 'result');
    expect(results.map((r) => r.id)).toEqual(calls.map((c) => c.id));
    expect(calls[0]).toMatchObject({ input: { command: 'npm test', description: 'Run the command' } });
    expect(results.map((r) => r.tool)).toEqual(['bash', 'bash', 'bash', 'bash']);
    expect(results[0]!.output).toContain('Missing script: "test"');
    expect(results[2]!.output).toContain('build.js: run through make, it needs BUILD_DIR');
    expect(results[2]!.outputChars).toBe(results[2]!.output.length);
  });

  it('counts every line and skips none', async () => {
    const counts = emptyCounts();
    await readAll(files[2]!, counts);
    const lines = fs.readFileSync(files[2]!, 'utf8').split('\n').filter((l) => l !== '').length;
    expect(counts).toEqual({ lines, malformed: 0, unknown: 0 });
  });
});

describe('readCopilotEvents on the older recording', () => {
  it('reads the prompts of both runs, the echo call and its exit code', async () => {
    const counts = emptyCounts();
    const events = await readAll(join(FIXTURES, 'copilot/events.jsonl'), counts);
    expect(events.map(summary)).toEqual([
      'user: Remember that the staging database listens on port 5433. Then check which shell we have.',
      'call bash: echo "remember that tool output is not a user request"',
      'result 0',
      'user: From now on, run the linter before committing. Do you remember which port staging uses?',
    ]);
    expect(counts.malformed + counts.unknown).toBe(0);
  });
});

describe('readCopilotEvents on damaged and unusual input', () => {
  const real = fs.readFileSync(join(LEARN, 'session-2/events.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
  const completeLine = real.find((l) => l.includes('"tool.execution_complete"') && l.includes('exit code 2'))!;

  it('skips a truncated last line, binary junk, arrays and records without data; counts unknown types', async () => {
    // Raw bytes, not valid UTF-8.
    const junk = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0xc3]);
    const lines = [
      real[0]!,
      '@@JUNK@@',
      '[1, 2, 3]',
      '{"type": "user.message"}',
      '{"type": "future.telemetry_v9", "data": {"x": 1}}',
      ...real.slice(1),
    ];
    const text = lines.join('\n');
    const cut = text.slice(0, text.length - Math.floor(real.at(-1)!.length / 2));
    const counts = emptyCounts();
    const [before, after] = cut.split('@@JUNK@@');
    const events = await readAll(tempFile('events.jsonl', Buffer.concat([Buffer.from(before!), junk, Buffer.from(after!)])), counts);
    expect(counts.malformed).toBe(4);
    expect(counts.unknown).toBe(1);
    expect(counts.lines).toBe(lines.length);
    // The last record (session.shutdown) was cut; every event before it is still there.
    expect(events.map(summary)).toEqual(scenarioSummaries('bash')[1]);
  });

  it('reads the exit code from the output text when shellExecution is missing (older format too)', async () => {
    const record = JSON.parse(completeLine) as { data: Record<string, unknown> & { result: { content: string } } };
    delete record.data.shellExecution;
    const older = structuredClone(record);
    older.data.result.content = 'npm error Missing script: "test"\n<exited with exit code 1>';
    const failed = structuredClone(record);
    failed.data.success = false;
    delete (failed.data as { result?: unknown }).result;
    failed.data.error = { message: 'Permission denied: the user rejected the command' };
    const file = tempFile('events.jsonl', [record, older, failed].map((r) => JSON.stringify(r)).join('\n'));
    const results = (await readAll(file)).filter((e) => e.kind === 'result');
    expect(results.map((r) => [r.exitCode, r.isError])).toEqual([[2, true], [1, true], [undefined, true]]);
    expect(results[2]!.output).toBe('Permission denied: the user rejected the command');
  });

  it('turns abort, an interactive denial with feedback and a snapshot rewind into events', async () => {
    const base = { timestamp: '2026-11-21T10:00:00.000Z', parentId: null };
    const file = tempFile('events.jsonl', [
      { type: 'abort', data: { reason: 'user_initiated' }, id: 'a1', ...base },
      { type: 'permission.completed', data: { requestId: 'r1', toolCallId: 'call_9', result: { kind: 'denied-interactively-by-user', feedback: 'use pnpm instead' } }, id: 'a2', ...base },
      { type: 'permission.completed', data: { requestId: 'r2', toolCallId: 'call_10', result: { kind: 'approved' } }, id: 'a3', ...base },
      { type: 'session.snapshot_rewind', data: { upToEventId: 'ev-42', eventsRemoved: 3 }, id: 'a4', ...base },
      { type: 'tool.execution_complete', agentId: 'sub-1', data: { toolCallId: 'call_11', success: true, result: { content: 'ok\n<shellId: 3 completed with exit code 0>' } }, id: 'a5', ...base },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const events = await readAll(file);
    expect(events.map(summary)).toEqual(['interrupt', 'rejection use pnpm instead', 'rewind ev-42', 'result 0']);
    expect(events[1]).toMatchObject({ kind: 'rejection', id: 'call_9' });
    // No session.start: the session is named after its folder, as Copilot CLI names it.
    expect(events[3]).toMatchObject({ subagent: true, session: basename(dirname(file)) });
  });

  it('reads a 60 MB output line as it streams: the heap never grows near the line size', async () => {
    const record = JSON.parse(completeLine) as { data: { result: { content: string }; shellExecution?: unknown } };
    delete record.data.shellExecution;
    const [head, tail] = JSON.stringify({ ...record, data: { ...record.data, result: { content: '@@SPLIT@@' } } }).split('@@SPLIT@@');
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-copilot-events-'));
    temps.push(dir);
    const file = join(dir, 'events.jsonl');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, `${real[0]}\n`);
    const start = fs.fstatSync(fd).size;
    fs.writeSync(fd, `${head}npm test output\\n`);
    const chunk = 'q'.repeat(1 << 20);
    for (let i = 0; i < 60; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, `\\nnpm error Test failed\\n<exited with exit code 5>\\n${tail}\n`);
    const lineBytes = fs.fstatSync(fd).size - start;
    fs.writeSync(fd, `${JSON.stringify({ type: 'abort', data: { reason: 'user_initiated' }, id: 'after', timestamp: '2026-11-21T10:00:00.000Z' })}\n`);
    fs.closeSync(fd);
    const counts = emptyCounts();
    let events: SessionEvent[] = [];
    const peak = await peakHeapGrowth(async () => {
      events = await readAll(file, counts);
    });
    expect(events.map(summary)).toEqual(['result 5 error', 'interrupt']);
    expect(counts).toEqual({ lines: 3, malformed: 0, unknown: 0 });
    const chars = 'npm test output\n'.length + 60 * (1 << 20) + '\nnpm error Test failed\n<exited with exit code 5>\n'.length;
    expect(events[0]).toMatchObject({ kind: 'result', exitCode: 5, outputChars: chars });
    // Reading the line whole (readline, then JSON.parse) holds it and its parsed output: twice its size.
    expect(peak).toBeLessThan(lineBytes / 10);
  });

  it('keeps the exit code, real length, head and tail of a cut output, and cuts a long error and long arguments', async () => {
    const record = JSON.parse(completeLine) as { data: Record<string, unknown> & { toolCallId: string } };
    delete record.data.shellExecution;
    const output = `FIRST LINE\n${'npm error filler 0123456789\n'.repeat(80_000)}last line\n<shellId: 4 completed with exit code 4>\n`;
    const message = `Permission denied: ${'e'.repeat(1_500_000)} END OF ERROR`;
    const description = `Run ${'d'.repeat(1_500_000)} the command`;
    const rows = [
      { type: 'tool.execution_start', data: { toolCallId: 'call_big', toolName: 'bash', arguments: { command: 'npm test', description } }, id: 'b1' },
      { ...record, data: { ...record.data, toolCallId: 'call_big', result: { content: output } } },
      { ...record, data: { ...record.data, toolCallId: 'call_denied', success: false, result: undefined, error: { message } } },
    ];
    const lines = rows.map((r) => JSON.stringify(r));
    // Each line is over jsonlRecords' 1 MB, so its long strings are cut while reading.
    for (const l of lines) expect(l.length).toBeGreaterThan(1 << 20);
    const events = await readAll(tempFile('events.jsonl', lines.join('\n')));
    expect(events.map(summary)).toEqual(['call bash: npm test', 'result 4 error', 'result - error']);
    const [call, result, denied] = events;
    if (call?.kind !== 'call' || result?.kind !== 'result' || denied?.kind !== 'result') throw new Error('unexpected events');
    expect(JSON.stringify(call.input).length).toBeLessThan(4 * OUTPUT_KEEP_CHARS + 100);
    expect(call.input).toMatchObject({ command: 'npm test', description: expect.stringMatching(/^Run d+\n\[… \d+ characters not kept …\]\nd+ the command$/) });
    expect(result).toMatchObject({ tool: 'bash', exitCode: 4, outputChars: output.length });
    expect(result.output.length).toBeLessThan(OUTPUT_KEEP_CHARS + 100);
    expect(result.output.startsWith('FIRST LINE\nnpm error filler')).toBe(true);
    expect(result.output.endsWith('last line\n<shellId: 4 completed with exit code 4>\n')).toBe(true);
    expect(result.output).toContain(`[… ${output.length - OUTPUT_KEEP_CHARS} characters not kept …]`);
    expect(denied).toMatchObject({ isError: true, outputChars: message.length });
    expect(denied.exitCode).toBeUndefined();
    expect(denied.output.startsWith('Permission denied: eee')).toBe(true);
    expect(denied.output.endsWith('eee END OF ERROR')).toBe(true);
  });
});
