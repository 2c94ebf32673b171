import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { emptyCounts, OUTPUT_KEEP_CHARS } from '../../src/agents/events.js';
import { boundedInput, CutText, joinTexts, jsonlRecords } from '../../src/agents/jsonl-records.js';

const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-jsonl-records-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Padding that puts a line over jsonlRecords' 1 MB, so it is parsed as it streams. */
const pad = 'x'.repeat(1100 * 1024);

describe('jsonlRecords (the streaming JSONL reader of the agents\' event readers)', () => {
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

  const big = 2 * 1024 * 1024;
  it.each([
    ['a giant number', `{"type":"x","n":${'9'.repeat(big)}}`],
    ['unquoted junk at the root', 'z'.repeat(big)],
    ['unquoted junk as a value', `{"type":"x","v":${'junk '.repeat(big / 5)}}`],
    ['a run of opening brackets', `{"type":"x","v":${'['.repeat(big)}`],
    ['a top-level array', `[${'1,'.repeat(big / 2)}1]`],
  ])('fails a streamed line of %s and reads the next line', async (_, junk) => {
    const file = join(tmp, 'junk.jsonl');
    // The padded line with a 40-digit number is still read: only a longer bare token fails a line.
    const wide = `{"type":"wide","pad":"${pad}","n":1234567890123456789012345678901234567890}`;
    fs.writeFileSync(file, `${junk}\n{"type":"after"}\n${wide}\n`);
    const counts = emptyCounts();
    const got = [];
    for await (const r of jsonlRecords(file, counts)) got.push(r);
    expect(got.map((r) => [r.line, r.row?.type, r.row?.n])).toEqual([[1, undefined, undefined], [2, 'after', undefined], [3, 'wide', 1.2345678901234568e39]]);
    expect(counts).toEqual({ lines: 3, malformed: 0, unknown: 0 });
  });
});

describe('joinTexts (an output made of parts)', () => {
  const half = OUTPUT_KEEP_CHARS / 2;
  const kept = (whole: string): string => `${whole.slice(0, half)}\n[… ${whole.length - OUTPUT_KEEP_CHARS} characters not kept …]\n${whole.slice(-half)}`;

  it('cuts uncut parts as their whole, skips what is not text, and keeps short wholes as they are', () => {
    expect(joinTexts(['one', 2, undefined, 'two'])).toEqual({ text: 'one\ntwo', chars: 7 });
    expect(joinTexts(['a', 'b'], '')).toEqual({ text: 'ab', chars: 2 });
    expect(joinTexts([])).toEqual({ text: '', chars: 0 });
    const parts = ['a'.repeat(3000), 'b'.repeat(3000)];
    expect(joinTexts(parts)).toEqual({ text: kept(parts.join('\n')), chars: 6001 });
  });

  it('keeps the real head and tail of a whole with cut parts anywhere, and counts what the whole dropped', async () => {
    // Cut strings as the streaming reader makes them: the parts of a line over 1 MB.
    const file = join(tmp, 'parts.jsonl');
    const long = (name: string): string => `${name} start ${'0123456789'.repeat(20_000)} ${name} end`;
    const parts = ['small first', long('second'), 'small third', long('fourth')];
    fs.writeFileSync(file, `${JSON.stringify({ type: 'x', pad, parts })}\n`);
    let row: Record<string, unknown> | undefined;
    for await (const r of jsonlRecords(file, emptyCounts())) row = r.row;
    const read = row?.parts as unknown[];
    expect(read.map((p) => p instanceof CutText)).toEqual([false, true, false, true]);
    const whole = parts.join('\n');
    expect(joinTexts(read)).toEqual({ text: kept(whole), chars: whole.length });
    // One cut part alone is its own kept text.
    expect(joinTexts([read[1]])).toEqual({ text: (read[1] as CutText).text, chars: (parts[1] as string).length });
    expect((read[1] as CutText).text).toBe(kept(parts[1] as string));
  });
});

describe('boundedInput (a tool call\'s input for an event)', () => {
  const long = `start ${'x'.repeat(10_000)} end`;

  it.each([
    ['an object', (v: unknown[]) => Object.fromEntries(v.map((x, i) => [`k${i}`, x]))],
    ['an array', (v: unknown[]) => v],
  ])('cuts the long strings of %s, and the whole when it is still too big', (_, make) => {
    const cutLong = `${long.slice(0, 2000)}\n[… ${long.length - 4000} characters not kept …]\n${long.slice(-2000)}`;
    expect(boundedInput(make([long, 'short', 7]))).toEqual(make([cutLong, 'short', 7]));
    expect(boundedInput(make([new CutText('kept text', 1e6), null, true]))).toEqual(make(['kept text', null, true]));
    const many = make(Array.from({ length: 3 }, (_, i) => `${i}${'m'.repeat(3990)}${i}`));
    const json = JSON.stringify(many);
    expect(json.length).toBeLessThan(4 * OUTPUT_KEEP_CHARS);
    expect(boundedInput(many)).toEqual(many);
    const more = make(['m', 'n', 'o', 'p', 'q'].map((c) => c.repeat(3999)));
    const moreJson = JSON.stringify(more);
    expect(boundedInput(more)).toBe(`${moreJson.slice(0, 2000)}\n[… ${moreJson.length - 4000} characters not kept …]\n${moreJson.slice(-2000)}`);
  });
});
