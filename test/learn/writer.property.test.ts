import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/learn/types.js';
import { planWrite } from '../../src/learn/writer.js';

// Byte preservation of `headroom learn`'s writer over generated markdown: whatever the user's file
// holds, everything outside the managed section comes out byte for byte, and applying the same
// rules a second time changes nothing.

const START = '<!-- headroom:learn:start -->';
const END = '<!-- headroom:learn:end -->';

const chars = [...'abcxyzABZ019 .,:;!?()[]*_-#|`~éßñ漢字😀\u00a0'];
const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzé漢😀'), minLength: 1, maxLength: 8 });
/** A line of inline text, starting with a letter so it cannot open a block of its own. */
const text = fc.tuple(word, fc.string({ unit: fc.constantFrom(...chars), maxLength: 30 })).map(([w, rest]) => w + rest);
/** Lines that look like headroom's own, to be quoted where they must not count. */
const markerish = fc.constantFrom(START, END, `- quoted <!-- headroom:rule key=quoted sessions=9 last=2026-01-01 -->`, '<!-- a comment -->');

type Lines = string[];

const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), text).map(([n, t]): Lines => [`${'#'.repeat(n)} ${t}`]);
const paragraph = fc.array(text, { minLength: 1, maxLength: 3 }).map((ls): Lines => ls);
const inlineMarker = fc.tuple(text, markerish).map(([t, m]): Lines => [`${t} \`${m}\` ${t}`]);
const list = fc
  .array(fc.tuple(fc.constantFrom('- ', '* ', '+ ', '1. ', '  - ', '   1) '), fc.oneof(text, inlineMarker.map((l) => l[0]!))), { minLength: 1, maxLength: 4 })
  .map((items): Lines => items.map(([bullet, t]) => bullet + t));
const table = fc
  .tuple(word, word, fc.array(fc.tuple(text, text), { maxLength: 3 }))
  .map(([a, b, rows]): Lines => [`| ${a} | ${b} |`, '| --- | :-: |', ...rows.map(([x, y]) => `| ${x.replaceAll('|', '/')} | ${y.replaceAll('|', '/')} |`)]);
const fence = fc
  .tuple(fc.constantFrom('```', '~~~', '````'), fc.constantFrom('', 'md', 'sh'), fc.array(fc.oneof(text, markerish), { maxLength: 5 }))
  .map(([f, lang, body]): Lines => [f + lang, ...body, f]);
// Indented lines after a list continue its last item, so they carry no bare markers either.
const indentedCode = fc.array(fc.oneof(text, inlineMarker.map((l) => l[0]!)), { minLength: 1, maxLength: 3 }).map((ls): Lines => ls.map((l) => `    ${l}`));
const comment = fc.oneof(
  text.map((t): Lines => [`<!-- ${t.replaceAll('-', '')} -->`]),
  fc.array(text, { minLength: 1, maxLength: 3 }).map((ls): Lines => ['<!--', ...ls.map((l) => l.replaceAll('-', '')), '-->']),
);
// A bare marker in a quote or list item is refused (tested in writer.test.ts); quoted as code it is text.
const quote = fc.array(fc.oneof(text, inlineMarker.map((l) => l[0]!)), { minLength: 1, maxLength: 3 }).map((ls): Lines => ls.map((l) => `> ${l}`));
const rule = fc.constantFrom('***', '___', '* * *').map((l): Lines => [l]);
const block = fc.oneof(heading, paragraph, inlineMarker, list, table, fence, indentedCode, comment, quote, rule);

const frontMatter = fc.option(
  fc.oneof(
    text.map((t): Lines => ['---', `title: "${t.replaceAll('"', '')}"`, 'tags: [a, b]', '---']),
    word.map((w): Lines => ['+++', `title = "${w}"`, '+++']),
  ),
);

/** Markdown's special characters, to try to make a rule's text or key break out of its list item. */
const tricky = fc.string({ unit: fc.constantFrom(...'<>!-`~[]()*_#|\\ \n\r\t&;=%:ab1.'), minLength: 1, maxLength: 40 });
const keyArb = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), tricky);
const date = fc.tuple(fc.integer({ min: 2024, max: 2027 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(
  ([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
);
const ruleArb = fc.record({ key: keyArb, text: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), tricky), sessions: fc.integer({ min: 0, max: 40 }), lastSeen: date }).map(
  (r): Rule => ({ ...r, kind: 'fix', agents: ['codex'], wastedTokens: 0, evidence: [] }),
);
const rules = fc.array(ruleArb, { maxLength: 5 });

/** An existing managed section: rule items (keys the generated rules may reuse) and the user's own lines. */
const section = fc
  .array(
    fc.oneof(
      fc.tuple(text, fc.constantFrom('a', 'b', 'k1'), fc.integer({ min: 0, max: 9 }), date).map(([t, k, n, d]) => ({
        line: `- ${t} <!-- headroom:rule key=${k} sessions=${n} last=${d} -->`,
        key: k,
        user: false,
      })),
      text.map((t) => ({ line: `- mine: ${t}`, key: undefined, user: true })),
    ),
    { maxLength: 4 },
  )
  .map((items) => ({ items }));

interface Doc {
  text: string;
  eol: string;
  /** For a document with a section: the text up to its start marker and from its end marker on. */
  head?: string;
  tail?: string;
  userLines: string[];
  /** Rule keys already in the section. */
  sectionKeys: string[];
}

const doc = fc
  .record({
    front: frontMatter,
    blocks: fc.array(block, { maxLength: 8 }),
    section: fc.option(fc.tuple(section, fc.nat())),
    eol: fc.constantFrom('\n', '\r\n'),
    trailingNewline: fc.boolean(),
    gap: fc.constantFrom(1, 2),
  })
  .map(({ front, blocks, section: sec, eol, trailingNewline, gap }): Doc => {
    const sep = eol.repeat(gap + 1);
    const parts = blocks.map((ls) => ls.join(eol));
    let at = -1;
    if (sec) {
      at = sec[1] % (parts.length + 1);
      parts.splice(at, 0, ['## Lessons', '', START, ...sec[0].items.map((i) => i.line), END].join(eol));
    }
    const headText = front ? front.join(eol) + sep : '';
    let body = headText + parts.join(sep);
    if (trailingNewline && body !== '') body += eol;
    const userLines = sec ? sec[0].items.filter((i) => i.user).map((i) => i.line) : [];
    const sectionKeys = sec ? sec[0].items.flatMap((i) => (i.key === undefined ? [] : [i.key])) : [];
    if (!sec) return { text: body, eol, userLines, sectionKeys };
    // The section is the only place these markers sit outside code, so locate it by its own block.
    const before = headText + parts.slice(0, at).join(sep) + (at > 0 ? sep : '') + ['## Lessons', '', START].join(eol);
    const endAt = body.indexOf(eol + END, before.length) + eol.length;
    return { text: body, eol, head: before, tail: body.slice(endAt), userLines, sectionKeys };
  });

/** Checks that the bytes outside the section of `doc` are all still there, unchanged, in `after`. */
function expectOutsideKept(d: Doc, after: string, anyRules: boolean): void {
  if (d.head !== undefined) {
    expect(after.startsWith(d.head)).toBe(true);
    expect(after.endsWith(d.tail!)).toBe(true);
  } else if (!anyRules) {
    expect(after).toBe(d.text); // no rules, no section: nothing to write
  } else {
    expect(after.startsWith(d.text)).toBe(true);
    expect(after.slice(d.text.length)).toMatch(/^(?:\r?\n){0,2}## Lessons from past sessions \(headroom learn\)\r?\n/);
  }
}

const trailerCount = (text: string) => text.split('<!-- headroom:rule key=').length - 1;

describe('planWrite over generated markdown', () => {
  it('keeps every byte outside the managed section, keeps the user lines, and a second apply changes nothing', () => {
    fc.assert(
      fc.property(doc, rules, rules, (d, first, second) => {
        const once = planWrite('CLAUDE.md', d.text, first);
        expectOutsideKept(d, once.after, first.length > 0);
        const twice = planWrite('CLAUDE.md', once.after, second);
        expectOutsideKept(d, twice.after, first.length + second.length > 0);
        for (const line of d.userLines) expect(twice.after).toContain(line + d.eol);
        // One new item per key not in the section yet: no duplicates, nothing dropped.
        const newKeys = new Set([...first, ...second].map((r) => r.key).filter((k) => !d.sectionKeys.includes(k)));
        expect(trailerCount(twice.after) - trailerCount(d.text)).toBe(newKeys.size);
        const again = planWrite('CLAUDE.md', twice.after, second);
        expect(again.changed).toBe(false);
        expect(again.after).toBe(twice.after);
        expect(again.added).toEqual([]);
        expect(again.updated).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('creates a file with no text the same way, and keeps its line endings', () => {
    fc.assert(
      fc.property(rules, fc.constantFrom(undefined, ''), (rs, original) => {
        const plan = planWrite('AGENTS.md', original, rs);
        expect(plan.after).not.toContain('\r');
        expect(planWrite('AGENTS.md', plan.after, rs).changed).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});
