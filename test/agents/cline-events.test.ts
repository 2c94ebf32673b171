import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cline } from '../../src/agents/cline.js';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { readEvents } from '../helpers/reader-events.js';

// Cline's session reader on a session the real Cline 3.0.65 wrote (fixtures/sessions/cline, made
// by record-cline-continue.gen.ts), and on damaged or edited copies of it.

const SESSIONS = join(import.meta.dirname, '../../fixtures/sessions/cline/sessions');
const ID = fs.readdirSync(SESSIONS)[0]!;
const FILE = join(SESSIONS, ID, `${ID}.messages.json`);
const RECORD = join(SESSIONS, ID, `${ID}.json`);

const readAll = (file: string, counts?: ReadCounts): Promise<SessionEvent[]> => readEvents(cline.events, file, counts);

function summary(e: SessionEvent): string {
  switch (e.kind) {
    case 'user': return `user: ${e.text}`;
    case 'call': return `call ${e.tool}: ${e.command ?? ''}`;
    case 'result': return `result ${e.exitCode ?? '-'}${e.isError ? ' error' : ''}: ${e.output.trim()}`;
    default: return e.kind;
  }
}

const temps: string[] = [];
/** A session folder of its own holding `messages` (and the real record unless `record` is false). */
function tempSession(messages: string, record = true): string {
  const dir = join(fs.mkdtempSync(join(os.tmpdir(), 'headroom-cline-events-')), ID);
  temps.push(dir);
  fs.mkdirSync(dir);
  if (record) fs.copyFileSync(RECORD, join(dir, `${ID}.json`));
  const file = join(dir, `${ID}.messages.json`);
  fs.writeFileSync(file, messages);
  return file;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(join(d, '..'), { recursive: true, force: true });
});

describe("Cline's session reader", () => {
  it('gives the prompt without its <user_input> wrapper, each command and its outcome: the failure with its exit code, then the fix', async () => {
    expect((await readAll(FILE)).map(summary)).toEqual([
      'user: Remember that the notes live in notes.txt. Show me the notes.',
      'call run_commands: cat notes.txt',
      'result 1 error: [Command exited with code 1]\n\n[stderr]\ncat: notes.txt: No such file or directory',
      'call run_commands: echo "staging listens on 5433" > notes.txt && cat notes.txt',
      'result -: staging listens on 5433',
    ]);
  });

  it('fills the event base: session id, cwd from the session record, time, file, and the line the event was read at', async () => {
    const lines = fs.readFileSync(FILE, 'utf8').split('\n');
    const events = await readAll(FILE);
    expect(events).toHaveLength(5);
    for (const e of events) {
      expect(e).toMatchObject({ agent: 'cline', session: ID, cwd: '/home/user/project', file: FILE });
      expect(e.time).toMatch(/^2026-12-07T\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (e.kind === 'user') expect(lines[e.line - 1]).toContain(e.text);
      if (e.kind === 'call') expect(lines[e.line - 1]).toContain(e.id);
      if (e.kind === 'result') expect(lines[e.line - 1]).toContain(`"tool_use_id": "${e.id}"`);
    }
  });

  it('without the session record, takes the working directory its system prompt names', async () => {
    const events = await readAll(tempSession(fs.readFileSync(FILE, 'utf8'), false));
    expect(events).toHaveLength(5);
    for (const e of events) expect(e.cwd).toBe('/home/user/project');
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
  });

  it('a document over 64 MB is skipped and counted, not read (a sparse file: nothing is written)', async () => {
    const big = tempSession('');
    fs.truncateSync(big, 65 * 1024 * 1024);
    const counts = emptyCounts();
    expect(await readAll(big, counts)).toEqual([]);
    expect(counts).toEqual({ lines: 0, malformed: 0, unknown: 0, oversized: 1 });
  });

  it('a user text block without the wrapper (context Cline adds) is not a prompt', async () => {
    const doc = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { messages: Array<{ content: Array<Record<string, unknown>> }> };
    doc.messages[0]!.content.push({ type: 'text', text: '<environment_details>remember that this is context</environment_details>' });
    const users = (await readAll(tempSession(JSON.stringify(doc, null, 2)))).filter((e) => e.kind === 'user');
    expect(users.map(summary)).toEqual(['user: Remember that the notes live in notes.txt. Show me the notes.']);
  });

  it('takes <id>/<id>.messages.json only, not the session record', () => {
    expect(cline.transcriptFile(FILE)).toBe(true);
    expect(cline.transcriptFile(RECORD)).toBe(false);
    expect(cline.transcriptFile(join(SESSIONS, ID, 'other.messages.json'))).toBe(false);
    expect(cline.unreadableSessions).toBeUndefined();
  });
});
