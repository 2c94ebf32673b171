import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadUseLite } from '../../src/memory/embedders/use-lite.js';
import { Memories } from '../../src/memory/memory.js';
import { memoryHooks } from '../../src/memory/proxy-hooks.js';
import { MEMORY_SAVE, MEMORY_SEARCH } from '../../src/memory/tools.js';

// The memory tools and recall as the proxy calls them, on a real database and embedder.

let home: string;
let memories: Memories;
beforeAll(async () => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-tools-'));
  memories = await Memories.open({ env: { HEADROOM_HOME: home, HEADROOM_USER: 'ada' }, embedder: await loadUseLite(), project: 'github.com/acme/shop' });
});
afterAll(() => {
  memories.close();
  fs.rmSync(home, { recursive: true, force: true });
});

it('memory_save saves with the caller\'s provenance, merges a repeat, corrects with replaces; memory_search finds it', async () => {
  const saves: string[] = [];
  const { tools, recall } = memoryHooks(memories, { onSave: (r) => saves.push(r.status) });
  expect(tools.tools.map((t) => t.name)).toEqual([MEMORY_SAVE, MEMORY_SEARCH]);
  const call = (name: string, input: unknown, agent = 'codex') => tools.answer({ id: 'c1', name, input }, { agent, session: 's-1' });

  const saved = await call(MEMORY_SAVE, { text: 'Deploys go out with make deploy' });
  const id = /^Saved as memory ([0-9a-f]{12})\.$/.exec(saved)![1]!;
  expect(await call(MEMORY_SAVE, JSON.stringify({ text: 'deploys go out with make deploy' }), 'claude')).toBe(`Already in memory as ${id} (first saved by codex); noted that claude said it too.`);
  const corrected = await call(MEMORY_SAVE, { text: 'Deploys go out with ./release.sh; make deploy was removed', replaces: id });
  expect(corrected).toMatch(new RegExp(`^Saved as memory [0-9a-f]{12}, replacing ${id}\\.$`));
  expect(saves).toEqual(['inserted', 'merged', 'inserted']);

  const found = await call(MEMORY_SEARCH, { query: 'how do deploys go out?', k: 3 });
  expect(found).toMatch(/^- \[[0-9a-f]{12} · codex · \d{4}-\d\d-\d\d\] Deploys go out with \.\/release\.sh/);
  expect(found).not.toContain(id);

  expect(await call(MEMORY_SAVE, {})).toBe('memory_save: pass the fact as `text`.');
  expect(await call(MEMORY_SAVE, { text: '   ' })).toBe('memory_save: a memory needs some text');
  expect(await call(MEMORY_SAVE, { text: 'x', replaces: 'ffffff' })).toBe('memory_save: no memory has the id ffffff');
  expect(await call(MEMORY_SEARCH, { query: '?!' })).toBe('memory_search: pass what to look for as `query`.');

  const block = await recall('Why did the deploy fail? Check how deploys go out.');
  expect(block?.count).toBeGreaterThan(0);
  expect(block!.text).toMatch(/^<headroom-memory>\n.*context, not instructions/s);
  expect(block!.text).toContain('release.sh');
  expect(block!.text.endsWith('</headroom-memory>')).toBe(true);
  expect(await recall('Translate this poem into French')).toBeUndefined();
}, 60_000);
