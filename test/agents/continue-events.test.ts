import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { continueCli } from '../../src/agents/continue.js';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { readJsonDocument } from '../../src/agents/json-document.js';
import { readEvents } from '../helpers/reader-events.js';

// Continue's CLI session reader on a session the real `cn` 1.5.47 wrote (fixtures/sessions/continue,
// made by record-cline-continue.gen.ts), and on damaged or edited copies of it.

const DIR = join(import.meta.dirname, '../../fixtures/sessions/continue/sessions');
const FILE = join(DIR, fs.readdirSync(DIR).find((f) => f.endsWith('.json'))!);
const SESSION = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { sessionId: string; history: Array<{ toolCallStates?: Array<{ status: string; output: Array<{ content: string }> }> }> };

const readAll = (file: string, counts?: ReadCounts): Promise<SessionEvent[]> => readEvents(continueCli.events, file, counts);

function summary(e: SessionEvent): string {
  switch (e.kind) {
    case 'user': return `user: ${e.text}`;
    case 'call': return `call ${e.tool}: ${e.command ?? ''}`;
    case 'result': return `result ${e.exitCode ?? '-'}${e.isError ? ' error' : ''}: ${e.output.trim()}`;
    case 'rejection': return `rejection ${e.id ?? ''}`;
    default: return e.kind;
  }
}

const temps: string[] = [];
function tempSession(content: string): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-continue-events-'));
  temps.push(dir);
  const file = join(dir, `${SESSION.sessionId}.json`);
  fs.writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("Continue CLI's session reader", () => {
  it('gives the prompt, each shell call and its outcome: the failure with its exit code, then the fix', async () => {
    expect((await readAll(FILE)).map(summary)).toEqual([
      'user: Remember that the notes live in notes.txt. Show me the notes.',
      'call Bash: cat notes.txt',
      'result 1 error: Error executing tool Bash: Error (exit code 1): cat: notes.txt: No such file or directory',
      'call Bash: echo "staging listens on 5433" > notes.txt && cat notes.txt',
      'result -: staging listens on 5433',
    ]);
  });

  it('fills the event base: session id, the workspace folder as cwd, file, and the line the event was read at', async () => {
    const lines = fs.readFileSync(FILE, 'utf8').split('\n');
    const events = await readAll(FILE);
    for (const e of events) {
      expect(e).toMatchObject({ agent: 'continue', session: SESSION.sessionId, cwd: '/home/user/project', file: FILE });
      if (e.kind === 'user') expect(lines[e.line - 1]).toContain(e.text);
      if (e.kind === 'call') expect(lines[e.line - 1]).toContain(e.id);
      if (e.kind === 'result') expect(lines[e.line - 1]).toContain('"output"');
    }
    const calls = events.filter((e) => e.kind === 'call');
    expect(calls.map((c) => c.kind === 'call' && c.input)).toEqual([{ command: 'cat notes.txt' }, { command: 'echo "staging listens on 5433" > notes.txt && cat notes.txt' }]);
  });

  it('counts the document’s lines and skips none', async () => {
    const counts = emptyCounts();
    await readAll(FILE, counts);
    expect(counts).toEqual({ lines: fs.readFileSync(FILE, 'utf8').replace(/\n$/, '').split('\n').length, malformed: 0, unknown: 0 });
  });

  it('a document cut short (a write caught halfway) gives nothing and counts as malformed', async () => {
    const text = fs.readFileSync(FILE, 'utf8');
    const counts = emptyCounts();
    expect(await readAll(tempSession(text.slice(0, text.length / 2)), counts)).toEqual([]);
    expect(counts.malformed).toBe(1);
    const other = emptyCounts();
    expect(await readAll(tempSession('[1, 2]'), other)).toEqual([]);
    expect(other.malformed).toBe(1);
  });

  it('a call the user refused at the permission prompt is a rejection', async () => {
    const edited = structuredClone(SESSION);
    const state = edited.history[1]!.toolCallStates![0]!;
    // As cn writes a refused call (its own words for it).
    state.status = 'canceled';
    state.output = [{ content: 'Permission denied by user' }];
    const events = await readAll(tempSession(JSON.stringify(edited, null, 2)));
    expect(events.map(summary).slice(1, 3)).toEqual(['call Bash: cat notes.txt', 'rejection call_fake_001_0']);
  });

  it('a document over the size cap is skipped and counted, not parsed', async () => {
    const counts = emptyCounts();
    expect(await readJsonDocument(FILE, counts, 100)).toBeUndefined();
    expect(counts).toEqual({ lines: 0, malformed: 0, unknown: 0, oversized: 1 });
    // Over 64 MB (a sparse file: nothing is written): the reader skips it without reading a byte.
    const big = tempSession('');
    fs.truncateSync(big, 65 * 1024 * 1024);
    const bigCounts = emptyCounts();
    expect(await readAll(big, bigCounts)).toEqual([]);
    expect(bigCounts).toEqual({ lines: 0, malformed: 0, unknown: 0, oversized: 1 });
  });

  it('takes session documents only, not the session index beside them', () => {
    expect(continueCli.transcriptFile(FILE)).toBe(true);
    expect(continueCli.transcriptFile(join(DIR, 'sessions.json'))).toBe(false);
    expect(continueCli.unreadableSessions).toBeUndefined();
  });
});
