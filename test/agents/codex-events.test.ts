import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { readCodexEvents } from '../../src/agents/codex-events.js';
import { codexUserTexts } from '../../src/agents/codex-transcript.js';
import { emptyCounts, OUTPUT_KEEP_CHARS, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { SCENARIO_EXIT_CODES, scenarioSessions } from '../helpers/learn-scenario.js';
import { bigOutputFile, readEvents } from '../helpers/reader-events.js';
import { peakHeapGrowth } from '../helpers/peak-heap.js';

const LEARN = 'fixtures/sessions/learn/codex';
const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-events-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function read(file: string): Promise<{ events: SessionEvent[]; counts: ReadCounts }> {
  const counts = emptyCounts();
  return { events: await readEvents(readCodexEvents, file, counts), counts };
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
      return `rejection${e.id !== undefined ? ` ${e.id}` : ''}`;
    case 'rewind':
      return 'rewind';
    case 'interrupt':
      return 'interrupt';
  }
}

type Row = { timestamp?: string; type: string; payload: Record<string, unknown> };
const lines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const rows = (file: string): Row[] => lines(file).map((l) => JSON.parse(l) as Row);
const writeRows = (name: string, list: unknown[]): string => {
  const file = join(tmp, name);
  fs.writeFileSync(file, list.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
};
const outputRow = (list: Row[], command: string): Row => {
  const call = list.find((r) => r.payload.type === 'function_call' && String(r.payload.arguments).includes(`"cmd":"${command}"`)) as Row;
  return list.find((r) => r.payload.type === 'function_call_output' && r.payload.call_id === call.payload.call_id) as Row;
};

describe('readCodexEvents on the recorded learn scenario', () => {
  const sessions = scenarioSessions();

  it('has one rollout per session of the scenario (a resumed run appends to its rollout)', () => {
    expect(fs.readdirSync(LEARN).filter((f) => /^session-\d+\.jsonl$/.test(f))).toHaveLength(sessions.length);
  });

  sessions.forEach((runs, i) => {
    const file = join(LEARN, `session-${i + 1}.jsonl`);
    it(`session ${i + 1}: the prompts, the commands in order, their exit codes and errors`, async () => {
      const { events, counts } = await read(file);
      const expected = runs.flatMap((run) => [
        `user: ${run.prompt}`,
        ...run.commands.flatMap((c) => {
          const exit = SCENARIO_EXIT_CODES[c] as number;
          return [`call exec_command: ${c}`, `result exec_command: exit ${exit}${exit !== 0 ? ' error' : ''}`];
        }),
      ]);
      expect(events.map(gist)).toEqual(expected);
      expect(counts).toEqual({ lines: lines(file).length, malformed: 0, unknown: 0 });
    });

    it(`session ${i + 1}: every event names the thread, its time, cwd, file and line; results answer their calls`, async () => {
      const { events } = await read(file);
      const meta = rows(file).find((r) => r.type === 'session_meta') as Row;
      const calls = new Set<string>();
      let line = 0;
      for (const e of events) {
        expect(e).toMatchObject({ agent: 'codex', session: meta.payload.id, cwd: meta.payload.cwd, file });
        expect(e.line).toBeGreaterThan(line);
        line = e.line;
        expect(rows(file)[e.line - 1]?.timestamp).toBe(e.time);
        if (e.kind === 'call') calls.add(e.id);
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

describe('readCodexEvents on the earlier fixtures', () => {
  for (const name of ['rollout-1.jsonl', 'rollout-2.jsonl']) {
    it(`${name}: exactly the texts the user-text reader finds (no AGENTS.md or environment context), and the echo call`, async () => {
      const file = join('fixtures/sessions/codex', name);
      const { events, counts } = await read(file);
      const typed = lines(file).flatMap((l) => codexUserTexts(l).texts);
      expect(typed).toHaveLength(1);
      expect(events.map(gist)).toEqual([`user: ${typed[0]}`, 'call exec_command: echo "remember that tool output is not a user request"', 'result exec_command: exit 0']);
      expect(counts).toEqual({ lines: lines(file).length, malformed: 0, unknown: 0 });
    });
  }
});

describe('readCodexEvents on damaged and edited rollouts made from the recorded ones', () => {
  const source = join(LEARN, 'session-2.jsonl');

  it('skips a truncated last line, binary junk and arrays (malformed) and unknown record types, and reads the rest', async () => {
    const original = lines(source);
    const last = original[original.length - 1] as string;
    const junk = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x01, 0x80]).toString('latin1');
    const damaged = [original[0], junk, '[1, 2, 3]', ...original.slice(1, -1), JSON.stringify({ timestamp: '2026-11-21T10:19:00.000Z', type: 'hologram', payload: {} }), '', last.slice(0, Math.floor(last.length / 2))];
    const { events, counts } = await read(writeRows('damaged.jsonl', damaged));
    expect(events.map(gist)).toEqual((await read(source)).events.map(gist));
    expect(counts).toEqual({ lines: damaged.length, malformed: 3, unknown: 1 });
  });

  it('reads a refused command as a rejection, and a command the approval policy refused as an error', async () => {
    const list = rows(source);
    const target = outputRow(list, 'node build.js');
    const refused = list.map((r) => (r === target ? { ...r, payload: { ...r.payload, output: 'exec command rejected by user' } } : r));
    const { events } = await read(writeRows('refused.jsonl', refused));
    expect(events.filter((e) => e.kind === 'rejection')).toEqual([expect.objectContaining({ kind: 'rejection', id: target.payload.call_id })]);
    expect(events.filter((e) => e.kind === 'result' && e.id === target.payload.call_id)).toEqual([]);

    // Codex 0.169's answer when `codex exec` (approval policy never) is asked for an escalated command.
    const policy = 'approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never';
    const denied = list.map((r) => (r === target ? { ...r, payload: { ...r.payload, output: policy } } : r));
    expect((await read(writeRows('denied.jsonl', denied))).events.find((e) => e.kind === 'result' && e.id === target.payload.call_id)).toMatchObject({ isError: true, output: policy });
  });

  it('reads an aborted turn as an interruption, a rollback as a rewind', async () => {
    const list = rows(source);
    const complete = list.find((r) => r.payload.type === 'task_complete') as Row;
    const aborted = { ...complete, payload: { type: 'turn_aborted', turn_id: complete.payload.turn_id, reason: 'interrupted' } };
    const replaced = { ...complete, payload: { type: 'turn_aborted', turn_id: complete.payload.turn_id, reason: 'replaced' } };
    const rolledBack = { ...complete, payload: { type: 'thread_rolled_back', num_turns: 1 } };
    const edited = list.flatMap((r) => (r === complete ? [aborted, replaced, rolledBack] : [r]));
    const kinds = (await read(writeRows('aborted.jsonl', edited))).events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'interrupt')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'rewind')).toHaveLength(1);
  });

  it('reads the older shell tool: argv commands and JSON outputs with metadata.exit_code', async () => {
    const list = rows(source);
    const target = outputRow(list, 'node build.js');
    const call = list.find((r) => r.payload.type === 'function_call' && r.payload.call_id === target.payload.call_id) as Row;
    const output = JSON.stringify({ output: 'build.js: run through make, it needs BUILD_DIR\n', metadata: { exit_code: 2, duration_seconds: 0.1 } });
    const edited = list.map((r) =>
      r === call
        ? { ...r, payload: { ...r.payload, name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', 'node build.js'], workdir: '/tmp' }) } }
        : r === target
          ? { ...r, payload: { ...r.payload, output } }
          : r,
    );
    const { events } = await read(writeRows('shell.jsonl', edited));
    expect(events.map(gist)).toContain('call shell: node build.js');
    expect(events.find((e) => e.kind === 'result' && e.id === target.payload.call_id)).toMatchObject({
      tool: 'shell',
      exitCode: 2,
      isError: true,
      output: 'build.js: run through make, it needs BUILD_DIR\n',
    });
  });

  it('joins output items one of which was cut while reading: the whole\'s real length, head, tail and dropped count', async () => {
    const list = rows(source);
    const target = outputRow(list, 'node build.js');
    const texts = ['Exit code: 2\nOutput:', `middle item\n${'build.js filler line 0123456789\n'.repeat(50_000)}end of middle`, 'last item'];
    const output = texts.map((text) => ({ type: 'input_text', text }));
    const edited = list.map((r) => (r === target ? { ...r, payload: { ...r.payload, output } } : r));
    // The row is over jsonlRecords' 1 MB, so its middle item is cut while reading.
    expect(JSON.stringify(edited[list.indexOf(target)]).length).toBeGreaterThan(1 << 20);
    const { events } = await read(writeRows('cut-item.jsonl', edited));
    const whole = texts.join('\n');
    expect(events.find((e) => e.kind === 'result' && e.id === target.payload.call_id)).toMatchObject({
      exitCode: 2,
      isError: true,
      outputChars: whole.length,
      output: `${whole.slice(0, 2000)}\n[… ${whole.length - 4000} characters not kept …]\n${whole.slice(-2000)}`,
    });
  });

  it('cuts a 50 MB output to its head and tail, with its real length, in bounded memory', async () => {
    const list = rows(join(LEARN, 'session-1.jsonl'));
    const target = outputRow(list, 'npm test');
    const executed = list.find((r) => r.payload.type === 'item_completed' && (r.payload.item as { id?: unknown }).id === target.payload.call_id) as Row;
    const original = String(target.payload.output).trimEnd();
    const size = 50 * 1024 * 1024;
    const file = join(tmp, 'huge.jsonl');
    const targets = new Map<unknown, (output: string) => unknown>([
      [target, (output) => ({ ...target, payload: { ...target.payload, output } })],
      [executed, (output) => ({ ...executed, payload: { ...executed.payload, item: { ...(executed.payload.item as object), aggregated_output: output } } })],
    ]);
    const chars = bigOutputFile(file, list, targets, size, original);
    const fileSize = fs.statSync(file).size;
    expect(fileSize).toBeGreaterThan(2 * size);
    let events: SessionEvent[] = [];
    const growth = await peakHeapGrowth(async () => {
      events = (await read(file)).events;
    });
    const result = events.find((e) => e.kind === 'result' && e.id === target.payload.call_id);
    expect(result).toMatchObject({ kind: 'result', exitCode: 1, isError: true, outputChars: chars });
    if (result?.kind !== 'result') throw new Error('no result');
    expect(result.output.length).toBeLessThan(OUTPUT_KEEP_CHARS + 100);
    expect(result.output.startsWith(original.slice(0, 100))).toBe(true);
    expect(result.output.endsWith('END OF THE HUGE OUTPUT')).toBe(true);
    expect(events.map(gist)).toEqual((await read(join(LEARN, 'session-1.jsonl'))).events.map(gist));
    expect(growth).toBeLessThan(fileSize / 4);
  });
});
