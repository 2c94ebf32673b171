import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAiderEvents } from '../../src/agents/aider-events.js';
import { readClaudeEvents } from '../../src/agents/claude-events.js';
import { readCodexEvents } from '../../src/agents/codex-events.js';
import { readCopilotEvents } from '../../src/agents/copilot-events.js';
import { readGeminiEvents } from '../../src/agents/gemini-events.js';
import { emptyCounts, type ReadCounts, type SessionEvent } from '../../src/agents/events.js';
import { commandKey } from '../../src/learn/commands.js';
import { Miner } from '../../src/learn/miner.js';
import type { Rule } from '../../src/learn/types.js';
import { LESSONS } from '../helpers/learn-scenario.js';

type Reader = (file: string, counts: ReadCounts) => AsyncIterable<SessionEvent> | Iterable<SessionEvent>;

/** The labelled scenario as the real CLIs recorded it, one folder per agent (Aider's is written in its documented format). */
const ROOT = join(import.meta.dirname, '../../fixtures/sessions/learn');
const READERS: [string, Reader][] = [
  ['claude', readClaudeEvents as Reader],
  ['codex', readCodexEvents as Reader],
  ['copilot', readCopilotEvents as Reader],
  ['gemini', readGeminiEvents as Reader],
  ['aider', readAiderEvents as Reader],
];
const expected = JSON.parse(fs.readFileSync(join(ROOT, 'expected-rules.json'), 'utf8')) as {
  minSessions: number;
  rules: { key: string; kind: string; failing: string; fixing: string }[];
};

/** The transcripts in an agent's folder (a subagent's transcript is read through its session's). */
function transcripts(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && /\.(jsonl|md)$/.test(entry.name) && !path.includes('/subagents/')) out.push(path);
  }
  return out.sort();
}

async function mineAgents(agents: [string, Reader][]): Promise<Rule[]> {
  const miner = new Miner();
  for (const [agent, read] of agents) {
    for (const file of transcripts(join(ROOT, agent))) {
      const counts = emptyCounts();
      for await (const event of await read(file, counts)) miner.add(event);
    }
  }
  return miner.rules({ minSessions: expected.minSessions });
}

describe('mining the labelled scenario the real CLIs recorded', () => {
  it('expects the scenario lessons', () => {
    expect(expected.rules.map((r) => [r.failing, r.fixing])).toEqual([
      [LESSONS.fix.failing, LESSONS.fix.fixing],
      [LESSONS.correction.failing, LESSONS.correction.fixing],
    ]);
  });

  // Skipped only while an agent's recordings are not in fixtures/sessions/learn/<agent>/ yet.
  for (const [agent, read] of READERS) {
    it.skipIf(transcripts(join(ROOT, agent)).length === 0)(`finds exactly the two lessons in ${agent} transcripts`, async () => {
      const rules = await mineAgents([[agent, read]]);
      // Equal sessions rank by tokens wasted, which differ per agent: compare as sets.
      expect(rules.map((r) => `${r.kind} ${r.key}`).sort()).toEqual(expected.rules.map((r) => `${r.kind} ${r.key}`).sort());
      for (const rule of rules) {
        const want = expected.rules.find((r) => r.key === rule.key);
        expect(rule.agents).toEqual([agent]);
        expect(rule.sessions).toBeGreaterThanOrEqual(2);
        expect(rule.wastedTokens).toBeGreaterThan(0);
        expect(rule.lastSeen).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        for (const e of rule.evidence) {
          expect(e.failing === undefined ? undefined : commandKey(e.failing)).toBe(want?.failing);
          expect(e.file.startsWith(ROOT)).toBe(true);
        }
      }
      const correction = rules.find((r) => r.kind === 'correction');
      expect(correction?.evidence.some((e) => e.quote === LESSONS.correction.quote)).toBe(true);
      expect(correction?.text).toBe('Never run `node build.js` directly: use `make build` instead.');
    });
  }

  const present = READERS.filter(([agent]) => transcripts(join(ROOT, agent)).length > 0);
  it.skipIf(present.length < 2)('finds the same two lessons, each once, across all agents together', async () => {
    const rules = await mineAgents(present);
    expect(rules.map((r) => r.key).sort()).toEqual(expected.rules.map((r) => r.key).sort());
    for (const rule of rules) expect(rule.agents).toEqual(present.map(([a]) => a).sort());
  });
});
