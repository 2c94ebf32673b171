import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/agents/events.js';
import type { AgentName } from '../../src/agents/types.js';
import { Miner } from '../../src/learn/miner.js';
import type { Rule } from '../../src/learn/types.js';

/** Builds one session's event stream by hand: shell calls with their outcomes, and user messages. */
class Session {
  readonly events: SessionEvent[] = [];
  private n = 0;
  constructor(
    readonly agent: AgentName,
    readonly session: string,
    private readonly day = '2026-11-01',
  ) {}

  private base() {
    this.n++;
    const minute = String(this.n % 60).padStart(2, '0');
    return { agent: this.agent, session: this.session, file: `/t/${this.session}.jsonl`, line: this.n, time: `${this.day}T10:${minute}:00.000Z` };
  }

  run(command: string, exitCode: number, output = exitCode === 0 ? 'ok' : `error: ${command} failed`, outputChars = output.length): this {
    const id = `call-${this.n}`;
    this.events.push({ ...this.base(), kind: 'call', id, tool: 'Bash', command, input: { command } });
    this.events.push({ ...this.base(), kind: 'result', id, output, outputChars, exitCode, isError: exitCode !== 0 });
    return this;
  }

  /** A call the agent flagged as an error without an exit code (a tool error). */
  toolError(command: string): this {
    const id = `call-${this.n}`;
    this.events.push({ ...this.base(), kind: 'call', id, tool: 'Bash', command, input: { command } });
    this.events.push({ ...this.base(), kind: 'result', id, output: '<tool_use_error>failed</tool_use_error>', outputChars: 38, isError: true });
    return this;
  }

  reject(command: string, feedback?: string): this {
    const id = `call-${this.n}`;
    this.events.push({ ...this.base(), kind: 'call', id, tool: 'Bash', command, input: { command } });
    this.events.push({ ...this.base(), kind: 'rejection', id, ...(feedback === undefined ? {} : { feedback }) });
    return this;
  }

  interrupt(command: string): this {
    const id = `call-${this.n}`;
    this.events.push({ ...this.base(), kind: 'call', id, tool: 'Bash', command, input: { command } });
    this.events.push({ ...this.base(), kind: 'interrupt' });
    return this;
  }

  say(text: string): this {
    this.events.push({ ...this.base(), kind: 'user', text });
    return this;
  }
}

function mine(sessions: Session[], minSessions = 2): Rule[] {
  const miner = new Miner();
  for (const s of sessions) for (const e of s.events) miner.add(e);
  return miner.rules({ minSessions });
}

const keys = (rules: Rule[]) => rules.map((r) => r.key);

describe('failure -> fix', () => {
  it('pairs a failing command with the variant that worked after it', () => {
    const rules = mine([new Session('claude', 's1').run('npm test', 1).run('npm run check', 0)], 1);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ key: 'fix:npm test -> npm run check', kind: 'fix', text: 'Use `npm run check`, not `npm test`.', sessions: 1, agents: ['claude'] });
    expect(rules[0]?.evidence[0]).toMatchObject({ agent: 'claude', session: 's1', failing: 'npm test', fixing: 'npm run check', file: '/t/s1.jsonl', line: 2 });
  });

  it('pairs by purpose across programs (node build.js -> make build)', () => {
    expect(keys(mine([new Session('codex', 's1').run('node build.js', 2).run('git status', 0).run('make build', 0)], 1))).toEqual(['fix:node build.js -> make build']);
  });

  it('pairs failures flagged as errors without an exit code, and rejected calls', () => {
    expect(keys(mine([new Session('claude', 's1').toolError('yarn test').run('yarn run check', 0)], 1))).toEqual(['fix:yarn test -> yarn run check']);
    expect(keys(mine([new Session('claude', 's1').reject('npm publish').run('npm pack', 0)], 1))).toEqual(['fix:npm publish -> npm pack']);
  });

  it('does not take an unrelated later success for a fix', () => {
    expect(mine([new Session('claude', 's1').run('npm test', 1).run('git status', 0).run('cat README.md', 0)], 1)).toEqual([]);
  });

  it('does not pair a success that came too many calls later', () => {
    const s = new Session('claude', 's1').run('npm test', 1);
    for (let i = 0; i < 4; i++) s.run(`git log -${i}`, 0);
    expect(mine([s.run('npm run check', 0)], 1)).toEqual([]);
  });

  it('does not learn from a failure the same command later got past (a transient failure)', () => {
    expect(mine([new Session('claude', 's1').run('npm test', 1).run('npm install', 0).run('npm test', 0)], 1)).toEqual([]);
  });

  it('does not learn from probes of missing paths', () => {
    expect(mine([new Session('claude', 's1').run('ls generated', 2).run('ls', 0)], 1)).toEqual([]);
  });

  it('does not pair across sessions', () => {
    expect(mine([new Session('claude', 's1').run('npm test', 1), new Session('claude', 's2').run('npm run check', 0)], 1)).toEqual([]);
  });

  it('does not mix sessions fed interleaved', () => {
    const a = new Session('claude', 'a').run('npm test', 1).run('npm run check', 0);
    const b = new Session('codex', 'b').run('npm test', 1).run('npm run check', 0);
    const miner = new Miner({ openSessions: 1 });
    const [a1, a2, a3, a4] = a.events as [SessionEvent, SessionEvent, SessionEvent, SessionEvent];
    for (const e of [a1, a2, ...b.events, a3, a4]) miner.add(e);
    // Session a was settled when b evicted it: its failure had no fix yet, so only b's lesson is seen.
    expect(miner.rules({ minSessions: 1 }).map((r) => [r.key, r.sessions])).toEqual([['fix:npm test -> npm run check', 1]]);
  });
});

describe('loops', () => {
  it('reports the same failing call three times in a session', () => {
    const s = new Session('gemini', 's1').run('npm run lint', 1).run('npm run lint', 1).run('npm run lint', 1);
    const rules = mine([s], 1);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ key: 'loop:npm run lint', kind: 'loop', sessions: 1 });
  });

  it('does not report two failures as a loop', () => {
    expect(mine([new Session('gemini', 's1').run('npm run lint', 1).run('npm run lint', 1)], 1)).toEqual([]);
  });
});

describe('corrections', () => {
  it('learns a correction after a failure, in the user words, and merges it with the fix it names', () => {
    const quote = 'No, never run node build.js directly: use make build instead.';
    const s = new Session('claude', 's1').run('node build.js', 2).say(quote).run('make build', 0);
    const rules = mine([s], 1);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ key: 'fix:node build.js -> make build', kind: 'correction', text: 'Never run `node build.js` directly: use `make build` instead.' });
    expect(rules[0]?.evidence.map((e) => e.quote ?? 'fix')).toEqual(expect.arrayContaining([quote, 'fix']));
    expect(rules[0]?.evidence.find((e) => e.quote)?.failing).toBe('node build.js');
  });

  it('links "no, use pnpm" to the failure before it and the command that followed', () => {
    const s = new Session('codex', 's1').run('npm test', 1).say('no, use pnpm').run('pnpm test', 0);
    expect(mine([s], 1).map((r) => [r.key, r.kind, r.text])).toEqual([['fix:npm test -> pnpm test', 'correction', 'Use pnpm.']]);
  });

  it('learns from the feedback of a rejection and after an interruption', () => {
    const rejected = new Session('claude', 's1').reject('rm tests/conftest.py', "don't touch conftest.py");
    const interrupted = new Session('copilot', 's2').interrupt('sed -i s/a/b/ conftest.py').say('Never touch conftest.py!');
    const rules = mine([rejected, interrupted]);
    expect(rules.map((r) => [r.key, r.kind, r.sessions])).toEqual([['said:never touch conftest.py', 'correction', 2]]);
    expect(rules[0]?.agents).toEqual(['claude', 'copilot']);
  });

  it('does not take a redirect for a correction', () => {
    const s = new Session('claude', 's1').run('npm test', 1).say('Now summarise the README in one line.');
    expect(mine([s], 1)).toEqual([]);
  });

  it('does not take an instruction that follows no failure for a correction', () => {
    const s = new Session('claude', 's1').run('npm test', 0).say('Never push to main.');
    expect(mine([s], 1)).toEqual([]);
  });
});

describe('clustering and ranking', () => {
  it('clusters the same lesson across agents and differently wrapped commands', () => {
    const rules = mine([
      new Session('codex', 'c1').run("/bin/bash -lc 'npm test'", 1).run("/bin/bash -lc 'npm run check'", 0),
      new Session('claude', 'k1').run('cd /tmp/p && npm test', 1).run('npm run check 2>&1 | tail', 0),
      new Session('gemini', 'g1').run('npm test', 1).run('npm run check', 0),
    ]);
    expect(rules.map((r) => [r.key, r.sessions, r.agents])).toEqual([['fix:npm test -> npm run check', 3, ['claude', 'codex', 'gemini']]]);
  });

  it('ranks by sessions, then by tokens wasted, counting cut outputs at their full length', () => {
    const long = 'error line\n'.repeat(50);
    const rules = mine([
      new Session('claude', 'a').run('npm test', 1).run('npm run check', 0),
      new Session('claude', 'b').run('npm test', 1).run('npm run check', 0),
      new Session('claude', 'c').run('cargo build', 1, long, long.length * 100).run('make build', 0),
      new Session('claude', 'd').run('cargo build', 1, long).run('make build', 0),
      new Session('claude', 'e').run('tox', 1).run('tox -e py312', 0).run('go vet', 1).run('go vet ./...', 0),
      new Session('claude', 'f').run('tsc', 1).run('npx tsc', 0),
      new Session('claude', 'g').run('tsc', 1).run('npx tsc', 0),
      new Session('claude', 'h').run('tsc', 1).run('npx tsc', 0),
    ]);
    expect(keys(rules)).toEqual(['fix:tsc -> npx tsc', 'fix:cargo build -> make build', 'fix:npm test -> npm run check']);
    const cargo = rules[1] as Rule;
    const npm = rules[2] as Rule;
    expect(cargo.wastedTokens).toBeGreaterThan(100 * npm.wastedTokens);
  });

  it('drops lessons seen in fewer than minSessions sessions', () => {
    const sessions = [new Session('claude', 'a').run('npm test', 1).run('npm run check', 0), new Session('codex', 'b').run('npm test', 1).run('npm run check', 0)];
    expect(mine(sessions, 2)).toHaveLength(1);
    expect(mine(sessions, 3)).toHaveLength(0);
    expect(mine(sessions.slice(0, 1))).toHaveLength(0);
  });

  it('keeps the newest evidence only, and the newest date', () => {
    const sessions = Array.from({ length: 8 }, (_, i) => new Session('claude', `s${i}`, `2026-10-0${i + 1}`).run('npm test', 1).run('npm run check', 0));
    const [rule] = mine(sessions.reverse());
    expect(rule?.sessions).toBe(8);
    expect(rule?.evidence.map((e) => e.session)).toEqual(['s7', 's6', 's5', 's4', 's3']);
    expect(rule?.lastSeen).toBe('2026-10-08');
  });
});
