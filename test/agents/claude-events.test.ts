import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { readClaudeEvents } from '../../src/agents/claude-events.js';
import { claudeUserTexts } from '../../src/agents/claude-transcript.js';
import { emptyCounts, OUTPUT_KEEP_CHARS, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { SCENARIO_EXIT_CODES, scenarioSessions } from '../helpers/learn-scenario.js';
import { bigOutputFile, readEvents } from '../helpers/reader-events.js';
import { peakHeapGrowth } from '../helpers/peak-heap.js';

const LEARN = 'fixtures/sessions/learn/claude';
const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-claude-events-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function read(file: string): Promise<{ events: SessionEvent[]; counts: ReadCounts }> {
  const counts = emptyCounts();
  return { events: await readEvents(readClaudeEvents, file, counts), counts };
}

/** An event as the miner sees it: kind and what it says, without the record's place. */
function gist(e: SessionEvent): string {
  switch (e.kind) {
    case 'user':
      return `user: ${e.text}`;
    case 'call':
      return `call ${e.tool}${e.command !== undefined ? `: ${e.command}` : ''}`;
    case 'result':
      return `result ${e.tool ?? '?'}: exit ${e.exitCode ?? '-'}${e.isError ? ' error' : ''}`;
    case 'rejection':
      return `rejection: ${e.feedback ?? ''}`;
    case 'rewind':
      return `rewind to ${e.to ?? '?'}`;
    case 'interrupt':
      return 'interrupt';
  }
}

const lines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const rows = (file: string): Record<string, unknown>[] => lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
const writeRows = (name: string, list: unknown[]): string => {
  const file = join(tmp, name);
  fs.writeFileSync(file, list.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
};

describe('readClaudeEvents on the recorded learn scenario', () => {
  const sessions = scenarioSessions();

  it('has one transcript per session of the scenario', () => {
    expect(fs.readdirSync(LEARN).filter((f) => /^session-\d+\.jsonl$/.test(f))).toHaveLength(sessions.length);
  });

  sessions.forEach((runs, i) => {
    const file = join(LEARN, `session-${i + 1}.jsonl`);
    it(`session ${i + 1}: the prompts, the commands in order, their exit codes and errors`, async () => {
      const { events, counts } = await read(file);
      // Claude Code writes an exit code only for a failing command (`Exit code N`).
      const expected = runs.flatMap((run) => [
        `user: ${run.prompt}`,
        ...run.commands.flatMap((c) => {
          const exit = SCENARIO_EXIT_CODES[c] as number;
          return [`call Bash: ${c}`, `result Bash: exit ${exit === 0 ? '-' : exit}${exit !== 0 ? ' error' : ''}`];
        }),
      ]);
      expect(events.map(gist)).toEqual(expected);
      expect(counts).toEqual({ lines: lines(file).length, malformed: 0, unknown: 0 });
    });

    it(`session ${i + 1}: every event names its session, time, cwd, file and line; results answer their calls`, async () => {
      const { events } = await read(file);
      const sessionId = rows(file).find((r) => typeof r.sessionId === 'string')?.sessionId;
      const calls = new Map<string, string>();
      let line = 0;
      for (const e of events) {
        expect(e).toMatchObject({ agent: 'claude', session: sessionId, file });
        expect(e.cwd).toMatch(/\/project$/);
        expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(e.subagent).toBeUndefined();
        expect(e.line).toBeGreaterThan(line);
        line = e.line;
        expect(JSON.parse(lines(file)[e.line - 1] as string).timestamp).toBe(e.time);
        if (e.kind === 'call') calls.set(e.id, e.command as string);
        if (e.kind === 'result') {
          expect(calls.has(e.id)).toBe(true);
          expect(e.outputChars).toBe(e.output.length);
        }
      }
    });
  });

  it('keeps the failures the commands really printed', async () => {
    const outputs = (await Promise.all(sessions.map((_, i) => read(join(LEARN, `session-${i + 1}.jsonl`))))).flatMap((r) =>
      r.events.flatMap((e) => (e.kind === 'result' && e.isError ? [e.output] : [])),
    );
    expect(outputs.some((o) => o.includes('npm error Missing script: "test"'))).toBe(true);
    expect(outputs.some((o) => o.includes('build.js: run through make, it needs BUILD_DIR'))).toBe(true);
    expect(outputs.some((o) => o.includes("ls: cannot access 'generated': No such file or directory"))).toBe(true);
  });
});

describe('readClaudeEvents on the earlier fixtures', () => {
  it('emits exactly the texts the user-text reader finds, and the Bash call and its result', async () => {
    const file = 'fixtures/sessions/claude/session.jsonl';
    const { events, counts } = await read(file);
    const typed = lines(file).flatMap((l) => claudeUserTexts(l).texts);
    expect(events.filter((e) => e.kind === 'user').map((e) => (e.kind === 'user' ? e.text : ''))).toEqual(typed);
    expect(typed).toEqual([
      'Remember that the staging database listens on port 5433. Then check which shell we have.',
      'Keep in mind that @notes.txt lists the staging hosts. Summarise it.',
    ]);
    expect(events.map(gist)).toEqual([`user: ${typed[0]}`, 'call Bash: echo "remember that tool output is not a user request"', 'result Bash: exit -', `user: ${typed[1]}`]);
    expect(counts).toEqual({ lines: lines(file).length, malformed: 0, unknown: 0 });
  });

  it('finds a session\'s subagent transcript in its own layout and puts its events where the Agent call ran', async () => {
    const dir = join(LEARN, 'subagent-session');
    const file = join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.jsonl')) as string);
    const { events, counts } = await read(file);
    expect(events.map((e) => `${e.subagent ? 'sub ' : ''}${gist(e)}`)).toEqual([
      'user: Ask a subagent to print missing.txt.',
      'call Agent',
      'sub call Bash: cat missing.txt',
      'sub result Bash: exit 1 error',
      'result Agent: exit -',
    ]);
    const sub = events.filter((e) => e.subagent);
    expect(sub.every((e) => e.file.includes('/subagents/agent-') && e.session === events[0]?.session)).toBe(true);
    expect(sub.find((e) => e.kind === 'result')).toMatchObject({ output: 'Exit code 1\ncat: missing.txt: No such file or directory' });
    expect(counts.malformed + counts.unknown).toBe(0);
  });

  it('reads a subagent transcript given alone as the subagent\'s', async () => {
    const dir = join(LEARN, 'subagent-session');
    const session = fs.readdirSync(dir).find((f) => f.endsWith('.jsonl')) as string;
    const subDir = join(dir, session.replace(/\.jsonl$/, ''), 'subagents');
    const sub = join(subDir, fs.readdirSync(subDir).find((f) => f.endsWith('.jsonl')) as string);
    const { events } = await read(sub);
    expect(events.map(gist)).toEqual(['call Bash: cat missing.txt', 'result Bash: exit 1 error']);
    expect(events.every((e) => e.subagent === true)).toBe(true);
  });
});

describe('readClaudeEvents on damaged and edited transcripts made from the recorded ones', () => {
  const source = join(LEARN, 'session-2.jsonl');

  it('skips a truncated last line, binary junk and arrays (malformed) and unknown record types, and reads the rest', async () => {
    const original = lines(source);
    const last = original[original.length - 1] as string;
    const junk = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x01, 0x80]).toString('latin1');
    const damaged = [original[0], junk, '[1, 2, 3]', ...original.slice(1, -1), JSON.stringify({ type: 'hologram', uuid: 'x', sessionId: 's' }), '', last.slice(0, Math.floor(last.length / 2))];
    const file = writeRows('damaged.jsonl', damaged);
    const { events, counts } = await read(file);
    expect(events.map(gist)).toEqual((await read(source)).events.map(gist));
    expect(counts).toEqual({ lines: damaged.length, malformed: 3, unknown: 1 });
  });

  it('orders rows by the uuid chain when a row was written after its child', async () => {
    const list = rows(source);
    const call = list.findIndex((r) => JSON.stringify(r).includes('"command":"npm run check"'));
    expect(call).toBeGreaterThan(0);
    // The call's row written after its result's row.
    const swapped = [...list.slice(0, call), list[call + 1], list[call], ...list.slice(call + 2)];
    const { events } = await read(writeRows('swapped.jsonl', swapped));
    expect(events.map(gist)).toEqual((await read(source)).events.map(gist));
  });

  it('reports a prompt that branches from an earlier row as a rewind to it', async () => {
    const list = rows(source);
    const first = list.find((r) => r.type === 'user') as Record<string, unknown>;
    const correction = list.findLast((r) => r.type === 'user' && typeof (r.message as { content?: unknown }).content === 'string') as Record<string, unknown>;
    const branch = { ...correction, uuid: '00000000-0000-4000-8000-000000000001', parentUuid: first.uuid, message: { role: 'user', content: 'Start over: only run the tests.' } };
    const { events } = await read(writeRows('rewind.jsonl', [...list, branch]));
    expect(events.slice(-2).map(gist)).toEqual([`rewind to ${String(first.uuid)}`, 'user: Start over: only run the tests.']);
  });

  it('reads a refusal with the user\'s feedback, a refusal without, and an interruption (the texts Claude Code writes)', async () => {
    const list = rows(source);
    const failed = list.find((r) => JSON.stringify(r).includes('"is_error":true') && JSON.stringify(r).includes('build.js')) as Record<string, unknown>;
    const content = (failed.message as { content: Record<string, unknown>[] }).content[0] as Record<string, unknown>;
    const refused = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). To tell you how to proceed, the user said:\nuse make build, never node build.js";
    const stopped = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";
    const withContent = (uuid: string, text: string, extra: unknown[] = []): Record<string, unknown> => ({
      ...failed,
      uuid,
      message: { role: 'user', content: [{ ...content, content: text }, ...extra] },
      toolUseResult: 'User rejected tool use',
    });
    const edited = list.map((r) => (r === failed ? withContent(String(failed.uuid), refused) : r));
    const { events } = await read(writeRows('refused.jsonl', edited));
    const rejection = events.find((e) => e.kind === 'rejection');
    expect(rejection).toMatchObject({ kind: 'rejection', id: content.tool_use_id, feedback: 'use make build, never node build.js' });
    expect(events.filter((e) => e.kind === 'result' && e.id === content.tool_use_id)).toEqual([]);

    const plain = list.map((r) => (r === failed ? withContent(String(failed.uuid), stopped) : r));
    expect((await read(writeRows('stopped.jsonl', plain))).events.find((e) => e.kind === 'rejection')).toEqual(expect.not.objectContaining({ feedback: expect.anything() }));

    const interrupted = list.map((r) =>
      r === failed ? withContent(String(failed.uuid), '[Request interrupted by user for tool use]', [{ type: 'text', text: '[Request interrupted by user for tool use]' }]) : r,
    );
    const kinds = (await read(writeRows('interrupted.jsonl', interrupted))).events.map((e) => e.kind);
    const before = (await read(source)).events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'interrupt')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'result')).toHaveLength(before.filter((k) => k === 'result').length - 1);
  });

  it('marks `<tool_use_error>` results as errors', async () => {
    const list = rows(source);
    const ok = list.find((r) => JSON.stringify(r).includes('12 checks passed') && r.type === 'user') as Record<string, unknown>;
    const content = (ok.message as { content: Record<string, unknown>[] }).content[0] as Record<string, unknown>;
    const edited = list.map((r) =>
      r === ok ? { ...ok, message: { role: 'user', content: [{ ...content, content: '<tool_use_error>InputValidationError: command is missing</tool_use_error>', is_error: false }] } } : r,
    );
    const { events } = await read(writeRows('tool-use-error.jsonl', edited));
    expect(events.find((e) => e.kind === 'result' && e.id === content.tool_use_id)).toMatchObject({ isError: true });
  });

  it('joins text blocks one of which was cut while reading: the whole\'s real length, head, tail and dropped count', async () => {
    const list = rows(source);
    const failed = list.find((r) => JSON.stringify(r).includes('"is_error":true') && JSON.stringify(r).includes('build.js')) as Record<string, unknown>;
    const content = (failed.message as { content: Record<string, unknown>[] }).content[0] as Record<string, unknown>;
    const texts = ['Exit code 2\nfirst block', `middle block\n${'build.js filler line 0123456789\n'.repeat(50_000)}end of middle`, 'last block'];
    const blocks = texts.map((text) => ({ type: 'text', text }));
    const edited = list.map((r) => (r === failed ? { ...failed, message: { role: 'user', content: [{ ...content, content: blocks }] } } : r));
    // The row is over jsonlRecords' 1 MB, so its middle block is cut while reading.
    expect(JSON.stringify(edited[list.indexOf(failed)]).length).toBeGreaterThan(1 << 20);
    const { events } = await read(writeRows('cut-block.jsonl', edited));
    const whole = texts.join('\n');
    expect(events.find((e) => e.kind === 'result' && e.id === content.tool_use_id)).toMatchObject({
      exitCode: 2,
      isError: true,
      outputChars: whole.length,
      output: `${whole.slice(0, 2000)}\n[… ${whole.length - 4000} characters not kept …]\n${whole.slice(-2000)}`,
    });
  });

  it('skips a 60 MB line of unquoted junk without collecting it, and reads the lines after it', async () => {
    const file = join(tmp, 'junk-line.jsonl');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{"type":"user","message":');
    const chunk = 'junk-without-quotes-'.repeat(52_429);
    for (let i = 0; i < 60; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '}\n');
    const lineBytes = fs.fstatSync(fd).size;
    fs.writeSync(fd, fs.readFileSync(source));
    fs.closeSync(fd);
    expect(lineBytes).toBeGreaterThan(60 * 1024 * 1024);
    let got: { events: SessionEvent[]; counts: ReadCounts } | undefined;
    const peak = await peakHeapGrowth(async () => {
      got = await read(file);
    });
    expect(got?.events.map(gist)).toEqual((await read(source)).events.map(gist));
    expect(got?.counts).toEqual({ lines: lines(source).length + 1, malformed: 1, unknown: 0 });
    // Collecting the token a character at a time holds many times the line.
    expect(peak).toBeLessThan(lineBytes / 10);
  });

  it('cuts a 50 MB output to its head and tail, with its real length, in bounded memory', async () => {
    const list = rows(join(LEARN, 'session-1.jsonl'));
    const failed = list.find((r) => JSON.stringify(r).includes('"is_error":true')) as Record<string, unknown>;
    const content = (failed.message as { content: Record<string, unknown>[] }).content[0] as Record<string, unknown>;
    const size = 50 * 1024 * 1024;
    const file = join(tmp, 'huge.jsonl');
    const make = (output: string): unknown => ({
      ...failed,
      message: { role: 'user', content: [{ ...content, content: output }] },
      toolUseResult: `Error: ${output}`,
    });
    const chars = bigOutputFile(file, list, new Map([[failed, make]]), size, String(content.content));
    const fileSize = fs.statSync(file).size;
    expect(fileSize).toBeGreaterThan(2 * size);
    let events: SessionEvent[] = [];
    const growth = await peakHeapGrowth(async () => {
      events = (await read(file)).events;
    });
    const result = events.find((e) => e.kind === 'result' && e.id === content.tool_use_id);
    expect(result).toMatchObject({ kind: 'result', exitCode: 1, isError: true, outputChars: chars });
    if (result?.kind !== 'result') throw new Error('no result');
    expect(result.output.length).toBeLessThan(OUTPUT_KEEP_CHARS + 100);
    expect(result.output.startsWith('Exit code 1\nnpm error Missing script')).toBe(true);
    expect(result.output.endsWith('END OF THE HUGE OUTPUT')).toBe(true);
    expect(events.map(gist)).toEqual((await read(join(LEARN, 'session-1.jsonl'))).events.map(gist));
    expect(growth).toBeLessThan(fileSize / 4);
  });
});
