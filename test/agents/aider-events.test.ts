import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { readAiderEvents } from '../../src/agents/aider-events.js';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { SCENARIO_EXIT_CODES, scenarioSessions } from '../helpers/learn-scenario.js';
import { readEvents } from '../helpers/reader-events.js';

// The Aider history reader. Aider cannot be installed here, so the histories are hand-written in
// the format aider's InputOutput writes (fixtures/sessions/aider/chat-history.md and
// fixtures/sessions/learn/aider/.aider.chat.history.md), plus snippets made the same way.

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const LEARN = join(FIXTURES, 'learn/aider/.aider.chat.history.md');

const readAll = (file: string, counts?: ReadCounts): Promise<SessionEvent[]> => readEvents(readAiderEvents, file, counts);

function summary(e: SessionEvent): string {
  switch (e.kind) {
    case 'user': return `user: ${e.text}`;
    case 'call': return `call ${e.tool}: ${e.command ?? ''}`;
    case 'result': return `result${e.isError ? ' error' : ''}`;
    case 'rejection': return `rejection ${e.feedback ?? ''}`.trim();
    default: return e.kind;
  }
}

const temps: string[] = [];
function history(text: string | Buffer): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-aider-events-'));
  temps.push(dir);
  const file = join(dir, '.aider.chat.history.md');
  fs.writeFileSync(file, text);
  return file;
}
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('readAiderEvents on the hand-written learn scenario', () => {
  it('gives each aider run its prompts and /test commands, failed when aider added their output unasked', async () => {
    const events = await readAll(LEARN);
    const sessions = [...new Set(events.map((e) => e.session))];
    expect(sessions).toEqual(['2026-11-21 10:30:01', '2026-11-21 10:31:12', '2026-11-21 10:33:40']);
    const got = sessions.map((s) => events.filter((e) => e.session === s).map(summary));
    const expected = scenarioSessions().map((runs) =>
      runs.flatMap((run) => [`user: ${run.prompt}`, ...run.commands.flatMap((c) => [`call test: ${c}`, `result${SCENARIO_EXIT_CODES[c] ? ' error' : ''}`])]),
    );
    expect(got).toEqual(expected);
  });

  it('fills the event base: the run as session, its start time, the project as cwd, file and line', async () => {
    const lines = fs.readFileSync(LEARN, 'utf8').split('\n');
    const events = await readAll(LEARN);
    const commands = new Map(events.flatMap((e) => (e.kind === 'call' ? [[e.id, e.command]] : [])));
    for (const e of events) {
      expect(e).toMatchObject({ agent: 'aider', cwd: join(FIXTURES, 'learn/aider'), file: LEARN, time: e.session.replace(' ', 'T') });
      // A command's result is read from the lines after it, and points at the command.
      const at = lines[e.line - 1]!;
      if (e.kind === 'user') expect(at).toBe(`#### ${e.text}  `);
      if (e.kind === 'call' || e.kind === 'result') expect(at).toBe(`#### /test ${commands.get(e.id)}  `);
    }
  });

  it('counts every line and skips none', async () => {
    const counts = emptyCounts();
    await readAll(LEARN, counts);
    expect(counts).toEqual({ lines: fs.readFileSync(LEARN, 'utf8').split('\n').length - 1, malformed: 0, unknown: 0 });
  });
});

describe('readAiderEvents on the older history', () => {
  it('reads prompts (a multi-line input as one), /run and /ask, not aider notices or model text', async () => {
    const events = await readAll(join(FIXTURES, 'aider/chat-history.md'));
    expect(events.map(summary)).toEqual([
      'user: Remember that the staging database listens on port 5433. Then check which shell we have.',
      'call run: echo "remember that tool output is not a user request"',
      'result',
      'user: From now on, run the linter before committing.\nDo you remember which port staging uses?',
      'user: keep in mind that deploys happen on Tuesdays. Which day is safe for a release?',
    ]);
    expect(events[2]).toMatchObject({ output: expect.stringContaining('Add 0.0k tokens of command output to the chat?') });
  });
});

describe('readAiderEvents on aider markers and damaged input', () => {
  const start = '\n# aider chat started at 2026-11-21 11:00:00\n\n> Aider v0.86.2  \n';

  it('reads suggested shell commands: run, refused, auto-test failures, failed edits, ^C', async () => {
    const file = history([
      start,
      '\n#### Fix the build.  \n',
      '\nRun the build:\n\n```bash\nmake build\n```\n\n',
      '> make build  \n> Run shell command? (Y)es/(N)o/(D)on\'t ask again [Yes]: y  \n',
      '> Running make build  \n',
      '> Add command output to the chat? (Y)es/(N)o/(D)on\'t ask again [Yes]: y  \n',
      '> Added 4 lines of output to the chat.  \n',
      '\n#### Also clean up.  \n',
      '\nThen:\n\n```bash\nrm -rf out\nnpm ci\n```\n\n',
      '> rm -rf out   \nnpm ci  \n> Run shell commands? (Y)es/(N)o/(D)on\'t ask again [Yes]: n  \n',
      '\n#### Now edit the parser.  \n',
      '\nparser.py\n```\nx = 1\n```\n\n',
      '> Applied edit to parser.py  \n',
      '> Added 3 lines of output to the chat.  \n',
      '> Attempt to fix test errors? (Y)es/(N)o [Yes]: y  \n',
      '\nparser.py\n<<<<<<< SEARCH\nnope\n=======\nx = 2\n>>>>>>> REPLACE\n\n',
      '> The LLM did not conform to the edit format.  \n> https://aider.chat/docs/troubleshooting/edit-errors.html  \n',
      '> # 1 SEARCH/REPLACE block failed to match!  \n',
      '>  \n>  \n> ^C again to exit  \n',
    ].join(''));
    const events = await readAll(file);
    expect(events.map(summary)).toEqual([
      'user: Fix the build.',
      'call shell: make build', 'result',
      'user: Also clean up.',
      'call shell: rm -rf out', 'rejection', 'call shell: npm ci', 'rejection',
      'user: Now edit the parser.',
      'call test: ', 'result error',
      'call edit: ', 'result error',
      'interrupt',
    ]);
    const rejected = events.filter((e) => e.kind === 'rejection');
    expect(rejected.map((r) => r.kind === 'rejection' && r.id)).toEqual(events.filter((e) => e.kind === 'call' && e.command !== 'make build' && e.tool === 'shell').map((c) => c.kind === 'call' && c.id));
  });

  it('skips binary junk and reads a file cut short', async () => {
    const text = fs.readFileSync(LEARN, 'utf8');
    const junk = Buffer.concat([Buffer.from('\n\u0000\u0001\u0002 garbage '), Buffer.from([0xff, 0xfe, 0x0a])]);
    const cut = Buffer.concat([Buffer.from(text.slice(0, text.indexOf('#### /test npm run check'))), junk, Buffer.from('#### /test npm ru')]);
    const counts = emptyCounts();
    const events = await readAll(history(cut), counts);
    expect(counts.malformed).toBe(1);
    expect(counts.unknown).toBe(0);
    expect(events.map(summary)).toEqual(['user: Run the tests.', 'call test: npm test', 'result error', 'call test: npm ru', 'result']);
  });

  it('keeps a 50 MB line out of memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const file = history(`${start}\n#### /run cat big.log  \n`);
    const fd = fs.openSync(file, 'a');
    fs.writeSync(fd, '> ');
    const chunk = 'w'.repeat(1 << 20);
    for (let i = 0; i < 50; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '  \n> Add 12.0k tokens of command output to the chat? (Y)es/(N)o [Yes]: n  \n');
    fs.closeSync(fd);
    const size = fs.statSync(file).size;
    gc();
    const before = process.memoryUsage().heapUsed;
    const events = await readAll(file);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    expect(events.map(summary)).toEqual(['call run: cat big.log', 'result']);
    expect(growth).toBeLessThan(size / 10);
  });
});
