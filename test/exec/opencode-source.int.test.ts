import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../helpers/build-dist.js';
import { runSourceMode, type SourceFigures } from '../helpers/source-compare.js';

// opencode keeps the last 50 KB (or 2,000 lines) of a bigger bash output for the model and saves
// the whole output to a file; the facts before the tail never reach the model. With `headroom wrap
// opencode`, a plugin of the run's inline config hands the whole output to headroom's hook, which
// puts the compressed output in its place. Run with the real opencode CLI, offline, against the
// fake upstream.

beforeAll(() => buildDist(), 120_000);

describe('source compression under the real opencode CLI', () => {
  for (const id of ['p02-sre-postgres-deadlock-crash', 'p03-sre-nginx-upstream-502']) {
    it(`${id}: every needle reaches the model with the hook when opencode captured the whole output, in fewer tokens than opencode's own tail`, async () => {
      const figures: SourceFigures[] = [];
      for (const mode of ['agent alone', 'proxy only', 'source'] as const) {
        const f = await runSourceMode(id, mode, 'opencode');
        expect(f.run.code, `${mode}: ${f.run.stderr}`).toBe(0);
        figures.push(f);
      }
      const [alone, proxyOnly, source] = figures as [SourceFigures, SourceFigures, SourceFigures];
      expect(alone.seen).toMatch(/^\.\.\.output truncated\.\.\.\n\nFull output saved to: .*\/tool-output\/tool_/);
      expect(alone.needlesSeen).toBeLessThan(alone.needles);
      expect(proxyOnly.needlesSeen).toBeLessThan(proxyOnly.needles);
      // opencode 1.18.33 sometimes captures only the first 256 KiB of a bash output: its own tail
      // to the model then ends mid-line, and the file it has saved when the hook runs stops there
      // (about half the runs of p02's 290 KB log; the rest of the file is written after the call).
      // Every needle reaches the model when opencode captured the whole output; with less, the
      // hook compressed what opencode had, and it still beats opencode's own tail.
      const compressedFrom = Number(/output compressed from (\d+) to \d+ tokens/.exec(source.seen)?.[1]);
      if (compressedFrom === source.outputTokens) expect(source.needlesSeen).toBe(source.needles);
      else expect(source.needlesSeen).toBeGreaterThanOrEqual(alone.needlesSeen);
      expect(source.seen).toMatch(/headroom retrieve [0-9a-f]{16}/);
      expect(source.seenTokens).toBeLessThan(source.outputTokens / 2);
      expect(source.seenTokens).toBeLessThan(alone.seenTokens);
      expect(source.leftInSessions).toEqual([]);
      // The hook ran inside the wrapped session: its saving reached wrap's exit summary.
      expect(source.run.stderr).toMatch(/at the source: 1 big command output/);
      expect(proxyOnly.run.stderr).not.toMatch(/at the source/);
    }, 400_000);
  }
});
