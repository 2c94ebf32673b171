import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../helpers/build-dist.js';
import { runSourceMode, type SourceFigures } from '../helpers/source-compare.js';

// Copilot CLI cuts a bash output over 20 KB to a 500-character preview and a file path; the facts
// in the middle of a big log never reach the model. With `headroom wrap copilot`, a plugin folder
// for the run (`--plugin-dir`) holds a postToolUse hook that compresses the whole output instead.
// Run with the real Copilot CLI (bring-your-own-key, offline) against the fake upstream.

beforeAll(() => buildDist(), 120_000);

describe('source compression under the real Copilot CLI', () => {
  for (const id of ['p02-sre-postgres-deadlock-crash', 'p06-test-failure-express-cookie']) {
    it(`${id}: every needle reaches the model with the hook, not without it`, async () => {
      const figures: SourceFigures[] = [];
      for (const mode of ['agent alone', 'proxy only', 'source'] as const) {
        const f = await runSourceMode(id, mode, 'copilot');
        expect(f.run.code, `${mode}: ${f.run.stderr}`).toBe(0);
        figures.push(f);
      }
      const [alone, proxyOnly, source] = figures as [SourceFigures, SourceFigures, SourceFigures];
      expect(alone.seen).toMatch(/^Output too large to read at once .*Saved to: .*copilot-tool-output-/);
      expect(alone.needlesSeen).toBeLessThan(alone.needles);
      expect(proxyOnly.seen).toMatch(/^Output too large to read at once/);
      expect(proxyOnly.needlesSeen).toBeLessThan(proxyOnly.needles);
      expect(source.needlesSeen).toBe(source.needles);
      expect(source.seen).toMatch(/headroom retrieve [0-9a-f]{16}/);
      expect(source.seen).toMatch(/\n<shellId: \d+ completed with exit code 0>$/);
      expect(source.seenTokens).toBeLessThan(source.outputTokens / 2);
      expect(source.leftInSessions).toEqual([]);
      // The hook ran inside the wrapped session: its saving reached wrap's exit summary.
      expect(source.run.stderr).toMatch(/at the source: 1 big command output/);
      expect(proxyOnly.run.stderr).not.toMatch(/at the source/);
    }, 400_000);
  }
});
