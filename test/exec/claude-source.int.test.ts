import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../helpers/build-dist.js';
import { runSourceMode, type SourceFigures } from '../helpers/source-compare.js';

// Claude Code cuts a Bash output over ~30 KB to a 2 KB preview; the facts in the middle of a big
// log never reach the model. With `headroom wrap`, its per-session hook compresses the whole
// output first. Run with the real Claude Code CLI, offline, against the fake upstream.

beforeAll(() => buildDist(), 120_000);

describe('source compression under the real Claude Code CLI', () => {
  for (const id of ['p02-sre-postgres-deadlock-crash', 'p06-test-failure-express-cookie']) {
    it(`${id}: every needle reaches the model with the hook, not without it`, async () => {
      const figures: SourceFigures[] = [];
      for (const mode of ['agent alone', 'proxy only', 'source'] as const) {
        const f = await runSourceMode(id, mode);
        expect(f.run.code, `${mode}: ${f.run.stderr}`).toBe(0);
        figures.push(f);
      }
      const [alone, proxyOnly, source] = figures as [SourceFigures, SourceFigures, SourceFigures];
      expect(alone.seen).toMatch(/Output too large|persisted-output/);
      expect(alone.needlesSeen).toBeLessThan(alone.needles);
      expect(proxyOnly.needlesSeen).toBeLessThan(proxyOnly.needles);
      expect(source.needlesSeen).toBe(source.needles);
      expect(source.seen).toMatch(/headroom retrieve [0-9a-f]{16}/);
      expect(source.seenTokens).toBeLessThan(source.outputTokens / 2);
      expect(source.leftInSessions).toEqual([]);
    }, 400_000);
  }
});
