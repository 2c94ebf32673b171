import * as fs from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENTS, agentNamed, type Agent, type TranscriptLine } from '../../src/agents/index.js';
import { rememberRequests } from '../../src/memory/remember.js';

// The readers against transcripts the real CLIs wrote (fixtures/sessions/README.md).

const FIXTURES = join(import.meta.dirname, '../../fixtures/sessions');
const FIRST = 'Remember that the staging database listens on port 5433. Then check which shell we have.';
const SECOND = 'From now on, run the linter before committing. Do you remember which port staging uses?';

const agent = (name: string): Agent => agentNamed(name)!;
const fixture = (path: string): string => fs.readFileSync(join(FIXTURES, path), 'utf8');
const lines = (path: string): string[] => fixture(path).split('\n').filter((l) => l !== '');
const read = (name: string, path: string): TranscriptLine[] => lines(path).map((l) => agent(name).userTexts(l));
const texts = (name: string, path: string): string[] => {
  // Records written again (Gemini) count once, as the capture reads them.
  const records = new Set<string>();
  return read(name, path).flatMap((r) => {
    if (r.record !== undefined && r.texts.length > 0) {
      if (records.has(r.record)) return [];
      records.add(r.record);
    }
    return r.texts;
  });
};
const sessions = (name: string, path: string): string[] => [...new Set(read(name, path).flatMap((r) => (r.session ? [r.session] : [])))];
const recordedPaths = (dir: string): string[] => fixture(`${dir}/paths.txt`).trim().split('\n');

describe('userTexts on real transcripts', () => {
  it('Claude Code: the typed prompts only (not the command body, hook output, @file content, tool results or replies)', () => {
    expect(texts('claude', 'claude/session.jsonl')).toEqual([FIRST, 'Keep in mind that @notes.txt lists the staging hosts. Summarise it.']);
    const [path] = recordedPaths('claude');
    expect(sessions('claude', 'claude/session.jsonl')).toEqual([/([0-9a-f-]{36})\.jsonl$/.exec(path!)?.[1]]);
    expect(read('claude', 'claude/session.jsonl').find((r) => r.cwd)?.cwd).toMatch(/^\/.*\/project$/);
  });

  it('Claude Code: a subagent transcript holds no user text (its prompt comes from the model)', () => {
    expect(texts('claude', 'claude-subagent/session.jsonl')).toEqual(['Keep in mind that deploys happen on Tuesdays. Ask a subagent which shell this is.']);
    expect(fixture('claude-subagent/subagent.jsonl')).toContain('Remember that subagent prompts come from the model.');
    expect(texts('claude', 'claude-subagent/subagent.jsonl')).toEqual([]);
  });

  it('Codex CLI: the prompts, not the AGENTS.md preamble or environment context sent as user messages', () => {
    expect(fixture('codex/rollout-1.jsonl')).toContain('Remember that this line comes from AGENTS.md');
    expect(texts('codex', 'codex/rollout-1.jsonl')).toEqual([FIRST]);
    expect(texts('codex', 'codex/rollout-2.jsonl')).toEqual([SECOND]);
    const ids = recordedPaths('codex').map((p) => /-([0-9a-f-]{36})\.jsonl$/.exec(p)?.[1]);
    expect([...sessions('codex', 'codex/rollout-1.jsonl'), ...sessions('codex', 'codex/rollout-2.jsonl')]).toEqual(ids);
  });

  it('Copilot CLI: user.message content, not the transformed content or the system message', () => {
    expect(texts('copilot', 'copilot/events.jsonl')).toEqual([FIRST, SECOND]);
    const dir = recordedPaths('copilot').find((p) => p.endsWith('/events.jsonl'))!.split('/').at(-2);
    expect(sessions('copilot', 'copilot/events.jsonl')).toEqual([dir]);
  });

  it('Gemini CLI: user records once each, not the session context, tool responses or $set replays', () => {
    expect(fixture('gemini/session.jsonl')).toContain('Remember that this line comes from GEMINI.md');
    expect(texts('gemini', 'gemini/session.jsonl')).toEqual([FIRST, SECOND]);
    const [session] = sessions('gemini', 'gemini/session.jsonl');
    const short = /session-[\dT-]+-([0-9a-f]{8})\.jsonl$/.exec(recordedPaths('gemini').find((p) => p.includes('/chats/'))!)?.[1];
    expect(session?.startsWith(short!)).toBe(true);
  });

  it('Aider: #### lines, message commands without their slash command, not other commands or tool lines', () => {
    expect(texts('aider', 'aider/chat-history.md')).toEqual([
      FIRST,
      'From now on, run the linter before committing.',
      'Do you remember which port staging uses?',
      'keep in mind that deploys happen on Tuesdays. Which day is safe for a release?',
    ]);
    expect(sessions('aider', 'aider/chat-history.md')).toEqual(['2026-11-21 08:02:11', '2026-11-21 08:05:40']);
  });

  it('what the user asked to remember, per agent; none of the planted model, tool or context text', () => {
    const facts = (name: string, path: string) => texts(name, path).flatMap(rememberRequests);
    const staging = 'the staging database listens on port 5433';
    const linter = 'run the linter before committing';
    expect(facts('claude', 'claude/session.jsonl')).toEqual([staging, '@notes.txt lists the staging hosts']);
    expect(facts('codex', 'codex/rollout-1.jsonl')).toEqual([staging]);
    expect(facts('codex', 'codex/rollout-2.jsonl')).toEqual([linter]);
    expect(facts('copilot', 'copilot/events.jsonl')).toEqual([staging, linter]);
    expect(facts('gemini', 'gemini/session.jsonl')).toEqual([staging, linter]);
    expect(facts('aider', 'aider/chat-history.md')).toEqual([staging, linter, 'deploys happen on Tuesdays']);
  });

  it('never throws: garbage, other shapes, and every cut-off prefix of the real lines', () => {
    const real = ['claude/session.jsonl', 'codex/rollout-1.jsonl', 'copilot/events.jsonl', 'gemini/session.jsonl', 'aider/chat-history.md'].flatMap(lines);
    const odd = ['', ' ', '{', '[]', 'null', '42', '"x"', '{"type":"user"}', '{"type":"user","message":null}', '{"payload":1}', '{"data":[]}', '{"$set":null}', '#### '];
    for (const a of AGENTS) {
      for (const l of odd) expect(a.userTexts(l).texts).toEqual([]);
      for (const l of real) for (let cut = 0; cut < l.length; cut += 97) expect(() => a.userTexts(l.slice(0, cut))).not.toThrow();
      fc.assert(fc.property(fc.json(), (j) => Array.isArray(a.userTexts(j).texts)));
    }
  });
});

describe('transcriptFile on the paths the real CLIs wrote', () => {
  const cases: Array<[string, string]> = [
    ['claude', 'claude'],
    ['claude', 'claude-subagent'],
    ['codex', 'codex'],
    ['copilot', 'copilot'],
    ['gemini', 'gemini'],
    ['qwen', 'qwen'],
    ['cline', 'cline'],
    ['continue', 'continue'],
  ];
  const isTranscript: Record<string, (p: string) => boolean> = {
    claude: (p) => /^\.claude\/projects\/[^/]+\/[^/]+\.jsonl$/.test(p),
    codex: (p) => p.endsWith('.jsonl'),
    copilot: (p) => p.endsWith('/events.jsonl'),
    gemini: (p) => p.startsWith('.gemini/') && p.includes('/chats/'),
    qwen: (p) => /^\.qwen\/projects\/[^/]+\/chats\/[^/]+\.jsonl$/.test(p),
    cline: (p) => p.endsWith('.messages.json'),
    continue: (p) => /^\.continue\/sessions\/[0-9a-f-]{36}\.json$/.test(p),
  };

  it.each(cases)('%s: %s/paths.txt', (name, dir) => {
    const home = '/home/someone';
    for (const p of recordedPaths(dir)) {
      expect([p, agent(name).transcriptFile(join(home, p))]).toEqual([p, isTranscript[name]!(p)]);
      for (const other of AGENTS.filter((a) => a.name !== name)) expect([other.name, p, other.transcriptFile(join(home, p))]).toEqual([other.name, p, false]);
    }
  });

  it.each(cases)('%s: transcriptDepth is how deep below transcriptDir the recorded transcripts sit (%s)', (name, dir) => {
    const a = agent(name);
    const top = a.transcriptDir({ HOME: '/home/someone' });
    for (const p of recordedPaths(dir).map((r) => join('/home/someone', r)).filter((r) => a.transcriptFile(r))) {
      expect(relative(top, p).split('/').length - 1).toBe(a.transcriptDepth);
    }
  });

  it('Aider: its history file in the project', () => {
    expect(agent('aider').transcriptDepth).toBe(0);
    expect(agent('aider').transcriptDir({})).toBe('.aider.chat.history.md');
    expect(agent('aider').transcriptDir({ AIDER_CHAT_HISTORY_FILE: 'notes/chat.md' })).toBe('notes/chat.md');
    expect(agent('aider').transcriptFile('/work/repo/.aider.chat.history.md')).toBe(true);
    expect(agent('aider').transcriptFile('/work/repo/.aider.input.history')).toBe(false);
    expect(agent('aider').transcriptFile('/work/repo/README.md')).toBe(false);
  });

  it('Gemini CLI: the older whole-file session-*.json is not followed', () => {
    expect(agent('gemini').transcriptFile('/h/.gemini/tmp/p/chats/session-2025-01-01T10-00-abcd1234.json')).toBe(false);
  });
});
