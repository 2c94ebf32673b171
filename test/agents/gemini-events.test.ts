import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyCounts, OUTPUT_KEEP_CHARS, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { readGeminiEvents } from '../../src/agents/gemini-events.js';
import { scenarioSummaries } from '../helpers/learn-scenario.js';
import { peakHeapGrowth } from '../helpers/peak-heap.js';
import { readEvents } from '../helpers/reader-events.js';

// The Gemini CLI event reader on chats the real CLI wrote (fixtures/sessions/gemini and
// fixtures/sessions/learn/gemini, made by record-learn-gemini-copilot.gen.ts), and on damaged copies.

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const PROJECT = join(FIXTURES, 'learn/gemini/project');

const readAll = (file: string, counts?: ReadCounts): Promise<SessionEvent[]> => readEvents(readGeminiEvents, file, counts);

function summary(e: SessionEvent): string {
  switch (e.kind) {
    case 'user': return `user: ${e.text}`;
    case 'call': return `call ${e.tool}: ${e.command ?? ''}`;
    case 'result': return `result ${e.exitCode ?? '-'}${e.isError ? ' error' : ''}`;
    case 'rejection': return `rejection ${e.id ?? ''}`;
    case 'rewind': return `rewind ${e.to ?? ''}`;
    default: return e.kind;
  }
}

const temps: string[] = [];
/** A chat file in a project folder of its own (with .project_root when `root` is given). */
function tempChat(content: string | Buffer, root?: string): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-gemini-events-'));
  temps.push(dir);
  fs.mkdirSync(join(dir, 'chats'));
  if (root !== undefined) fs.writeFileSync(join(dir, '.project_root'), `${root}\n`);
  const file = join(dir, 'chats', 'session-x.jsonl');
  fs.writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const files = [1, 2, 3].map((n) => join(PROJECT, 'chats', `session-${n}.jsonl`));
const realLines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('readGeminiEvents on the recorded learn scenario', () => {
  it('gives each session its prompts, shell calls and exit codes once each, despite rewritten records and $set replays', async () => {
    const got = await Promise.all(files.map(async (f) => (await readAll(f)).map(summary)));
    expect(got).toEqual(scenarioSummaries('run_shell_command'));
  });

  it('fills the event base: session id, cwd from .project_root, time, file and line', async () => {
    const root = fs.readFileSync(join(PROJECT, '.project_root'), 'utf8').trim();
    expect(root).toMatch(/\/project$/);
    for (const file of files) {
      const lines = realLines(file);
      const meta = JSON.parse(lines[0]!) as { sessionId: string };
      for (const e of await readAll(file)) {
        expect(e).toMatchObject({ agent: 'gemini', session: meta.sessionId, cwd: root, file });
        expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(lines[e.line - 1]).toContain(e.kind === 'user' ? e.text : e.kind === 'call' || e.kind === 'result' ? e.id : '');
      }
    }
  });

  it('keeps the output the model saw, with the exit code read from its text', async () => {
    const results = (await readAll(files[2]!)).filter((e) => e.kind === 'result');
    expect(results[0]!.output).toContain('build.js: run through make, it needs BUILD_DIR\nExit Code: 2');
    expect(results[1]!.output).toContain("ls: cannot access 'generated'");
    expect(results.map((r) => r.tool)).toEqual(['run_shell_command', 'run_shell_command', 'run_shell_command', 'run_shell_command']);
    expect(results[2]!.outputChars).toBe(results[2]!.output.length);
  });

  it('counts every line and skips none', async () => {
    const counts = emptyCounts();
    await readAll(files[1]!, counts);
    expect(counts).toEqual({ lines: realLines(files[1]!).length, malformed: 0, unknown: 0 });
  });
});

describe('readGeminiEvents on the older recording', () => {
  it('reads both prompts and the echo call once, and the cwd from the session context', async () => {
    const file = join(FIXTURES, 'gemini/session.jsonl');
    const events = await readAll(file);
    expect(events.map(summary)).toEqual([
      'user: Remember that the staging database listens on port 5433. Then check which shell we have.',
      'call run_shell_command: echo "remember that tool output is not a user request"',
      'result 0',
      'user: From now on, run the linter before committing. Do you remember which port staging uses?',
    ]);
    // No .project_root beside this copy: the workspace named in the session context stands in.
    expect(events[0]!.cwd).toMatch(/^\/tmp\/headroom-record-\w+\/project$/);
  });
});

describe('readGeminiEvents on damaged and unusual input', () => {
  const lines = realLines(files[2]!);
  const toolLine = lines.find((l) => l.includes('"toolCalls"') && l.includes('node build.js'))!;

  it('skips a truncated last line, binary junk and arrays; counts unknown record types', async () => {
    const all = [
      lines[0]!,
      '@@JUNK@@',
      '["not", "a", "record"]',
      '{"id": "x1", "type": "hologram", "content": "from a future version"}',
      '{"what": "no id, no $set"}',
      ...lines.slice(1),
    ];
    const text = all.join('\n');
    const cut = text.slice(0, text.length - 10);
    const counts = emptyCounts();
    const [before, after] = cut.split('@@JUNK@@');
    // Raw bytes, not valid UTF-8.
    const junk = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0xc3]);
    const events = await readAll(tempChat(Buffer.concat([Buffer.from(before!), junk, Buffer.from(after!)]), '/somewhere/project'), counts);
    expect(counts).toEqual({ lines: all.length, malformed: 3, unknown: 2 });
    expect(events.map(summary)).toEqual(scenarioSummaries('run_shell_command')[2]);
    expect(events[0]!.cwd).toBe('/somewhere/project');
  });

  it('turns $rewindTo, a cancelled notice, a denied call and a stopped command into events', async () => {
    const call = JSON.parse(toolLine) as { toolCalls: Array<Record<string, unknown>> };
    const toolCall = call.toolCalls[0]!;
    const denied = { ...call, id: 'm-denied', toolCalls: [{ ...toolCall, id: 'call-denied', status: 'cancelled', result: [{ functionResponse: { id: 'call-denied', name: 'run_shell_command', response: { error: '[Operation Cancelled] Reason: User denied execution.' } } }] }] };
    const stopped = { ...call, id: 'm-stopped', toolCalls: [{ ...toolCall, id: 'call-stopped', status: 'cancelled', result: [{ functionResponse: { id: 'call-stopped', name: 'run_shell_command', response: { output: 'Command was cancelled by user before it could complete. There was no output before it was cancelled.' } } }] }] };
    const errored = { ...call, id: 'm-error', toolCalls: [{ ...toolCall, id: 'call-error', status: 'error', result: [{ functionResponse: { id: 'call-error', name: 'run_shell_command', response: { error: 'Tool "run_shell_command" not found' } } }] }] };
    const file = tempChat([
      lines[0]!,
      JSON.stringify(denied),
      JSON.stringify(stopped),
      JSON.stringify(errored),
      '{"id":"n1","timestamp":"2026-11-21T10:00:00.000Z","type":"info","content":"Request cancelled."}',
      '{"$rewindTo":"m-denied"}',
    ].join('\n'));
    const events = await readAll(file);
    expect(events.map(summary)).toEqual([
      'call run_shell_command: node build.js', 'result - error', 'rejection call-denied',
      'call run_shell_command: node build.js', 'result - error', 'interrupt',
      'call run_shell_command: node build.js', 'result - error',
      'interrupt',
      'rewind m-denied',
    ]);
    expect(events[1]).toMatchObject({ output: '[Operation Cancelled] Reason: User denied execution.' });
  });

  it('reads a subagent chat (chats/<parent>/<id>.jsonl) as the parent session, marked subagent', async () => {
    const main = tempChat(lines[0]!, '/work/app');
    const parent = (JSON.parse(lines[0]!) as { sessionId: string }).sessionId;
    const file = join(main, '..', parent, 'sub-1.jsonl');
    fs.mkdirSync(join(file, '..'));
    const meta = { sessionId: 'sub-1', projectHash: 'h', startTime: '2026-11-21T10:00:00.000Z', lastUpdated: '2026-11-21T10:00:00.000Z', kind: 'subagent', directories: ['/work/app'] };
    fs.writeFileSync(file, `${JSON.stringify(meta)}\n${toolLine}\n`);
    const events = await readAll(file);
    expect(events.map(summary)).toEqual(['call run_shell_command: node build.js', 'result 2 error']);
    for (const e of events) expect(e).toMatchObject({ session: parent, subagent: true, cwd: '/work/app' });
  });

  it('reads a 60 MB output line as it streams: the heap never grows near the line size', async () => {
    const call = JSON.parse(toolLine) as { toolCalls: Array<Record<string, unknown>> };
    const response = { functionResponse: { id: 'big', name: 'run_shell_command', response: { output: '@@SPLIT@@' } } };
    const [head, tail] = JSON.stringify({ ...call, toolCalls: [{ ...call.toolCalls[0], id: 'big', result: [response], resultDisplay: '' }] }).split('@@SPLIT@@');
    const file = tempChat('');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, `${lines[0]}\n`);
    const start = fs.fstatSync(fd).size;
    fs.writeSync(fd, `${head}Output: npm test\\n`);
    const chunk = 'w'.repeat(1 << 20);
    for (let i = 0; i < 60; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, `\\nnpm error Test failed\\nExit Code: 5\\n${tail}\n`);
    const lineBytes = fs.fstatSync(fd).size - start;
    fs.writeSync(fd, '{"id":"n1","timestamp":"2026-11-21T10:00:00.000Z","type":"info","content":"Request cancelled."}\n');
    fs.closeSync(fd);
    const counts = emptyCounts();
    let events: SessionEvent[] = [];
    const peak = await peakHeapGrowth(async () => {
      events = await readAll(file, counts);
    });
    expect(events.map(summary)).toEqual(['call run_shell_command: node build.js', 'result 5 error', 'interrupt']);
    expect(counts).toEqual({ lines: 3, malformed: 0, unknown: 0 });
    const chars = 'Output: npm test\n'.length + 60 * (1 << 20) + '\nnpm error Test failed\nExit Code: 5\n'.length;
    expect(events[1]).toMatchObject({ kind: 'result', exitCode: 5, outputChars: chars });
    // Reading the line whole (readline, then JSON.parse) holds it and its parsed output: twice its size.
    expect(peak).toBeLessThan(lineBytes / 10);
  });

  it('keeps the exit code, real length, head and tail of cut outputs, across parts and in resultDisplay', async () => {
    const call = JSON.parse(toolLine) as { toolCalls: Array<Record<string, unknown>> };
    const toolCall = { ...call.toolCalls[0], resultDisplay: '' };
    const part = (id: string, response: Record<string, unknown>) => ({ functionResponse: { id, name: 'run_shell_command', response } });
    const big = `Output: FIRST LINE\n${'npm error filler 0123456789\n'.repeat(80_000)}last line`;
    const display = `FIRST OF DISPLAY\n${'x'.repeat(1_500_000)}\nExit Code: 9\n`;
    const small = ['a'.repeat(3000), 'b'.repeat(3000), 'Exit Code: 3'];
    const description = `Run ${'d'.repeat(1_500_000)} the command`;
    const records = [
      // The huge part is cut while reading; the exit code is in the part after it.
      { ...call, id: 'm1', toolCalls: [{ ...toolCall, id: 'c1', result: [part('c1', { output: big }), part('c1', { error: 'Exit Code: 6' })] }] },
      // No functionResponse text: what the UI showed stands in.
      { ...call, id: 'm2', toolCalls: [{ ...toolCall, id: 'c2', result: [], resultDisplay: display }] },
      // Arguments too long to keep whole.
      { ...call, id: 'm3', toolCalls: [{ ...toolCall, id: 'c3', args: { command: 'npm test', description }, result: [part('c3', { output: 'Output: ok' })] }] },
      // Parts none of which is cut, whose whole is: cut once, as the whole.
      { ...call, id: 'm4', toolCalls: [{ ...toolCall, id: 'c4', result: small.map((output) => part('c4', { output })) }] },
    ];
    const rows = records.map((r) => JSON.stringify(r));
    for (const r of rows.slice(0, 3)) expect(r.length).toBeGreaterThan(1 << 20);
    const events = await readAll(tempChat([lines[0]!, ...rows].join('\n')));
    const results = events.filter((e) => e.kind === 'result');
    expect(results.map((r) => [r.id, r.exitCode, r.isError])).toEqual([['c1', 6, true], ['c2', 9, true], ['c3', 0, false], ['c4', 3, true]]);
    const [parts, shown, , whole] = results;
    const partsChars = big.length + 1 + 'Exit Code: 6'.length;
    expect(parts).toMatchObject({ outputChars: partsChars });
    expect(parts!.output.startsWith('Output: FIRST LINE\nnpm error filler')).toBe(true);
    expect(parts!.output.endsWith('filler 0123456789\nlast line\nExit Code: 6')).toBe(true);
    expect(parts!.output).toContain(`\n[… ${partsChars - OUTPUT_KEEP_CHARS} characters not kept …]\n`);
    expect(parts!.output.length).toBeLessThan(OUTPUT_KEEP_CHARS + 100);
    expect(shown).toMatchObject({ outputChars: display.length });
    expect(shown!.output.startsWith('FIRST OF DISPLAY\nxxx')).toBe(true);
    expect(shown!.output.endsWith('xxx\nExit Code: 9\n')).toBe(true);
    const input = events.find((e) => e.kind === 'call' && e.id === 'c3');
    if (input?.kind !== 'call') throw new Error('no call');
    expect(input.command).toBe('npm test');
    expect(JSON.stringify(input.input).length).toBeLessThan(4 * OUTPUT_KEEP_CHARS + 100);
    expect(input.input).toMatchObject({ command: 'npm test', description: expect.stringMatching(/^Run d+\n\[… \d+ characters not kept …\]\nd+ the command$/) });
    const joined = small.join('\n');
    expect(whole).toMatchObject({ outputChars: joined.length, output: `${joined.slice(0, 2000)}\n[… ${joined.length - 4000} characters not kept …]\n${joined.slice(-2000)}` });
  });

  it('joins functionResponse parts with a cut one between others: the whole\'s real length, head, tail and dropped count', async () => {
    const call = JSON.parse(toolLine) as { toolCalls: Array<Record<string, unknown>> };
    const part = (response: Record<string, unknown>) => ({ functionResponse: { id: 'j1', name: 'run_shell_command', response } });
    const texts = ['Output: first part', `middle part\n${'npm error filler 0123456789\n'.repeat(60_000)}end of middle`, 'Exit Code: 4'];
    const result = [part({ output: texts[0] }), part({ output: texts[1] }), part({ error: texts[2] })];
    const row = JSON.stringify({ ...call, id: 'j', toolCalls: [{ ...call.toolCalls[0], id: 'j1', result, resultDisplay: '' }] });
    // Over jsonlRecords' 1 MB, so the middle part is cut while reading.
    expect(row.length).toBeGreaterThan(1 << 20);
    const events = await readAll(tempChat(`${lines[0]!}\n${row}\n`));
    const whole = texts.join('\n');
    expect(events.find((e) => e.kind === 'result')).toMatchObject({
      exitCode: 4,
      isError: true,
      outputChars: whole.length,
      output: `${whole.slice(0, 2000)}\n[… ${whole.length - 4000} characters not kept …]\n${whole.slice(-2000)}`,
    });
  });
});
