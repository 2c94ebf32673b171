import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { emptyCounts, OUTPUT_KEEP_CHARS } from '../../src/agents/events.js';
import { CutText, jsonlRecords } from '../../src/agents/jsonl-records.js';

const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-jsonl-records-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('jsonlRecords (the streaming JSONL reader of the Claude Code and Codex event readers)', () => {
  const pad = 'x'.repeat(1100 * 1024);

  it('reads a line too big to hold whole as JSON.parse would, any JSON inside, any unicode split across chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), async (value) => {
        const file = join(tmp, 'property.jsonl');
        // The pad makes the line take the streamed path; the value comes after it, split at chunk edges anywhere.
        fs.writeFileSync(file, `${JSON.stringify({ type: 'x', pad, value })}\n{"type":"after"}\n`);
        const counts = emptyCounts();
        const got: unknown[] = [];
        for await (const r of jsonlRecords(file, counts)) {
          const { pad: kept, ...rest } = r.row ?? {};
          got.push(kept === undefined ? rest : { ...rest, pad: kept instanceof CutText && kept.length === pad.length ? 'cut' : 'changed' });
        }
        expect(got).toEqual([{ type: 'x', pad: 'cut', value: JSON.parse(JSON.stringify(value)) as unknown }, { type: 'after' }]);
        expect(counts).toEqual({ lines: 2, malformed: 0, unknown: 0 });
      }),
      // A "__proto__" key is an own property in JSON.parse's result, and must be one here too.
      { numRuns: 40, examples: [[JSON.parse('{"__proto__": ""}') as fc.JsonValue]] },
    );
  });

  it('keeps the head and tail of a giant string with its length, and rejects a giant line that is not one object', async () => {
    const file = join(tmp, 'giant.jsonl');
    const long = `start${'é'.repeat(3 * 1024 * 1024)}end`;
    fs.writeFileSync(file, `${JSON.stringify({ type: 'x', long })}\n[${JSON.stringify(long)}]\n{"type": "x", "long": ${JSON.stringify(long)}\n`);
    const counts = emptyCounts();
    const got = [];
    for await (const r of jsonlRecords(file, counts)) got.push(r);
    expect(got.map((r) => r.line)).toEqual([1, 2, 3]);
    const cut = got[0]?.row?.long;
    expect(cut).toBeInstanceOf(CutText);
    if (!(cut instanceof CutText)) throw new Error('not cut');
    expect(cut.length).toBe(long.length);
    expect(cut.text.startsWith('startéé')).toBe(true);
    expect(cut.text.endsWith('ééend')).toBe(true);
    expect(cut.text.length).toBeLessThan(OUTPUT_KEEP_CHARS + 100);
    expect(got.slice(1).map((r) => r.row)).toEqual([undefined, undefined]);
  });
});
