import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { needleInView } from '../../src/bench/needles.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { runCodex } from '../helpers/agent-cli.js';
import { runSourceMode } from '../helpers/source-compare.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { workloadOutput, type SourceFigures } from '../helpers/source-compare.js';

// Codex cuts an exec output to about 10,000 bytes (head and tail); the facts in the middle of a
// big log never reach the model. With `headroom wrap codex`, its per-session PreToolUse hook runs
// the command through `headroom exec`, which compresses the whole output for the prompt and keeps
// it under Codex's cut. Run with the real Codex CLI (`codex exec`, sandbox off), offline.

beforeAll(() => buildDist(), 120_000);

const CLI = join(ROOT, 'dist/cli.js');

/** What `headroom retrieve` prints for the key named in a compressed output. */
function retrieveNamed(headroomHome: string, seen: string): string {
  const key = /headroom retrieve ([0-9a-f]{16})/.exec(seen)?.[1];
  if (!key) return '';
  return spawnSync(process.execPath, [CLI, 'retrieve', key], { env: { ...process.env, HEADROOM_HOME: headroomHome }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
}

describe('source compression under the real Codex CLI', () => {
  for (const id of ['p02-sre-postgres-deadlock-crash', 'p06-test-failure-express-cookie']) {
    it(`${id}: the hook brings needles Codex cut into view, and every one back with headroom retrieve`, async () => {
      const figures: SourceFigures[] = [];
      let original = '';
      for (const mode of ['agent alone', 'proxy only', 'source'] as const) {
        const f = await runSourceMode(id, mode, 'codex', { afterRun: (home, seen) => void (mode === 'source' && (original = retrieveNamed(home, seen))) });
        expect(f.run.code, `${mode}: ${f.run.stderr}`).toBe(0);
        figures.push(f);
      }
      const [alone, proxyOnly, source] = figures as [SourceFigures, SourceFigures, SourceFigures];
      expect(alone.seen).toMatch(/Warning: truncated output/);
      expect(alone.needlesSeen).toBeLessThan(alone.needles);
      expect(proxyOnly.needlesSeen).toBeLessThan(proxyOnly.needles);
      // Compressed under Codex's own cut, so Codex does not cut it again.
      expect(source.seen).not.toMatch(/Warning: truncated output/);
      expect(source.needlesSeen).toBeGreaterThan(Math.max(alone.needlesSeen, proxyOnly.needlesSeen));
      expect(source.seenTokens).toBeLessThan(alone.seenTokens);
      expect(original).toBe(workloadOutput(id).output);
      expect(source.leftInSessions).toEqual([]);
    }, 400_000);
  }

  it("a command the user's execpolicy rules forbid or ask about is not rewritten: Codex refuses it as it would alone", async () => {
    const id = 'p06-test-failure-express-cookie';
    for (const decision of ['forbidden', 'prompt']) {
      const rules = `prefix_rule(pattern=["cat"], decision="${decision}")\n`;
      const f = await runSourceMode(id, 'source', 'codex', { codexRules: rules, command: 'cat output.log | head -c 200000' });
      expect(f.run.code, f.run.stderr).toBe(0);
      expect(f.seen).toMatch(/rejected/i);
      expect(f.seen).not.toMatch(/headroom/);
      expect(f.needlesSeen).toBe(0);
    }
    // A rule about another program leaves the command to the hook.
    const other = await runSourceMode(id, 'source', 'codex', { codexRules: 'prefix_rule(pattern=["git", "push"], decision="forbidden")\n' });
    expect(other.seen).toMatch(/headroom retrieve [0-9a-f]{16}/);
    expect(other.needlesSeen).toBeGreaterThan(0);
    expect(needleInView(workloadOutput(id).needles[0]!, other.seen)).toBe(true);
  }, 400_000);
});

describe('retrieval in a wrapped Codex session', () => {
  it("`headroom retrieve KEY` runs in Codex's own shell (whose login profile resets PATH) and gives the matching lines back", async () => {
    const { output, question, needles } = workloadOutput('p02-sre-postgres-deadlock-crash');
    const root = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-retrieve-'));
    const dirs = { home: join(root, 'home'), cwd: join(root, 'project'), headroomHome: join(root, 'headroom') };
    for (const d of Object.values(dirs)) fs.mkdirSync(d);
    fs.writeFileSync(join(dirs.cwd, 'output.log'), output);
    const outputs: string[] = [];
    const fake = await startFakeUpstream((call) => {
      if (!call.toolNames.includes('exec_command')) return 'x';
      outputs.splice(0, outputs.length, ...call.toolOutputs);
      const key = /headroom retrieve ([0-9a-f]{16})/.exec(call.toolOutputs[0] ?? '')?.[1];
      if (call.toolOutputs.length === 0) return { toolCalls: [{ name: 'exec_command', input: { cmd: 'cat output.log' } }] };
      if (call.toolOutputs.length === 1 && key) return { toolCalls: [{ name: 'exec_command', input: { cmd: `headroom retrieve ${key} --query "ShareLock"` } }] };
      return 'Done.';
    });
    try {
      const wrap = { headroomHome: dirs.headroomHome, env: { HEADROOM_OPENAI_UPSTREAM: fake.url }, args: ['--no-ledger'] };
      const run = await runCodex({ baseUrl: fake.url, prompt: question, home: dirs.home, cwd: dirs.cwd, timeoutMs: 120_000, wrap });
      expect(run.code, run.stderr).toBe(0);
      expect(outputs).toHaveLength(2);
      expect(outputs[1]).not.toMatch(/command not found/);
      const deadlock = needles.find((n) => n.includes('ShareLock'))!;
      expect(needleInView(deadlock, outputs[1]!)).toBe(true);
    } finally {
      await fake.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 200_000);
});
