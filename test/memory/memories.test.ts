import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUseLite } from '../../src/memory/embedders/use-lite.js';
import { Memories, MemoryInputError, MAX_MEMORY_CHARS } from '../../src/memory/memory.js';
import { MemoryDbError, MemoryStore } from '../../src/memory/store.js';
import type { Embedder } from '../../src/memory/types.js';

// The memory service on a real LanceDB database in a temp HEADROOM_HOME, with the real
// offline embedder.

let embedder: Embedder;
const homes: string[] = [];

function tempHome(): string {
  const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-mem-'));
  homes.push(home);
  return home;
}

async function open(home: string, project = 'github.com/acme/shop', user = 'ada'): Promise<Memories> {
  return Memories.open({ env: { HEADROOM_HOME: home, HEADROOM_USER: user }, embedder, project });
}

beforeAll(async () => {
  embedder = await loadUseLite();
});
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

describe('saving', () => {
  it('inserts a memory with its provenance', async () => {
    const m = await open(tempHome());
    const r = await m.save({ text: '  The staging database listens on port 5433.  ', agent: 'codex', session: 's-1', source: 'tool' });
    expect(r.status).toBe('inserted');
    expect(r.memory).toMatchObject({ text: 'The staging database listens on port 5433.', agents: ['codex'], firstAgent: 'codex', session: 's-1', source: 'tool', project: 'github.com/acme/shop', user: 'ada', embedder: 'use-lite', hits: 0 });
    const [listed] = await m.list();
    expect(listed).toEqual(r.memory);
    m.close();
  });

  it('merges an exact repeat (case, spacing) into the first memory: a new agent in its provenance, nothing inserted', async () => {
    const m = await open(tempHome());
    const first = await m.save({ text: 'Run the tests with pnpm test -- --runInBand', agent: 'codex', source: 'tool' });
    const again = await m.save({ text: 'run the tests with  pnpm test -- --runInBand', agent: 'claude', session: 's-2', source: 'tool' });
    expect(again.status).toBe('merged');
    expect(again.memory.id).toBe(first.memory.id);
    expect(again.memory.agents).toEqual(['codex', 'claude']);
    const third = await m.save({ text: 'Run the tests with pnpm test -- --runInBand', agent: 'claude', source: 'tool' });
    expect(third.memory.agents).toEqual(['codex', 'claude']);
    const list = await m.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.hits).toBe(2);
    m.close();
  });

  it('merges a paraphrase, but keeps a sentence whose detail differs', async () => {
    const m = await open(tempHome());
    await m.save({ text: 'The staging database listens on port 5433', agent: 'codex', source: 'tool' });
    const para = await m.save({ text: 'Remember that the staging database listens on port 5433', agent: 'gemini', source: 'tool' });
    expect(para.status).toBe('merged');
    const other = await m.save({ text: 'The staging database listens on port 5432', agent: 'gemini', source: 'tool' });
    expect(other.status).toBe('inserted');
    expect((await m.list()).map((x) => x.text).sort()).toEqual(['The staging database listens on port 5432', 'The staging database listens on port 5433']);
    m.close();
  });

  it('merges a close paraphrase that restates the fact in other words, and keeps the near-misses apart', async () => {
    const m = await open(tempHome());
    const first = await m.save({ text: 'The integration tests need the docker compose stack running before npm run test:int', agent: 'claude', source: 'tool' });
    const para = await m.save({ text: 'Integration tests require docker compose to be up before running npm run test:int', agent: 'codex', source: 'tool' });
    expect(para.status).toBe('merged');
    expect(para.memory.id).toBe(first.memory.id);
    expect(para.memory.agents).toEqual(['claude', 'codex']);
    for (const text of [
      'The integration tests need the docker compose stack running before npm run test:e2e',
      'The unit tests need the docker compose stack running before npm run test:int',
      'The integration tests need the docker compose stack down before npm run test:int',
    ]) {
      expect((await m.save({ text, agent: 'codex', source: 'tool' })).status, text).toBe('inserted');
    }
    expect(await m.list()).toHaveLength(4);
    m.close();
  });

  it('a newer memory that replaces an older one hides it (kept for list --all)', async () => {
    const m = await open(tempHome());
    const old = await m.save({ text: 'Deploys go out with make deploy', agent: 'claude', source: 'tool' });
    const r = await m.save({ text: 'Deploys go out with ./scripts/release.sh now; make deploy was removed', agent: 'codex', source: 'tool', replaces: old.memory.id.slice(0, 6) });
    expect(r.status).toBe('inserted');
    expect(r.superseded?.id).toBe(old.memory.id);
    expect(r.memory.supersedes).toBe(old.memory.id);
    expect((await m.list()).map((x) => x.id)).toEqual([r.memory.id]);
    expect((await m.list({ includeSuperseded: true })).map((x) => x.id).sort()).toEqual([old.memory.id, r.memory.id].sort());
    expect((await m.search('how do deploys go out')).map((h) => h.memory.id)).not.toContain(old.memory.id);
    await expect(m.save({ text: 'x', agent: 'codex', source: 'tool', replaces: 'ffffffffffff' })).rejects.toThrow(MemoryInputError);
    m.close();
  });

  it('refuses empty and over-long text with a clear message, and cleans lone surrogates', async () => {
    const m = await open(tempHome());
    await expect(m.save({ text: ' \n\t ', agent: 'user', source: 'manual' })).rejects.toThrow(/needs some text/);
    await expect(m.save({ text: 'x'.repeat(1_000_000), agent: 'user', source: 'manual' })).rejects.toThrow(new RegExp(`at most ${MAX_MEMORY_CHARS.toLocaleString('en-US')} characters; this text has 1,000,000`));
    const r = await m.save({ text: 'broken \uD800 surrogate in the build log', agent: 'user', source: 'manual' });
    expect(r.memory.text).toBe('broken \uFFFD surrogate in the build log');
    expect(await m.list()).toHaveLength(1);
    m.close();
  });
});

describe('scope and search', () => {
  it('never shows another project or another user, unless the scope is widened', async () => {
    const home = tempHome();
    const shop = await open(home, 'github.com/acme/shop', 'ada');
    const blog = await open(home, 'github.com/acme/blog', 'ada');
    const bob = await open(home, 'github.com/acme/shop', 'bob');
    await shop.save({ text: 'The shop checkout uses Stripe webhooks on /hooks/stripe', agent: 'codex', source: 'tool' });
    await blog.save({ text: 'The blog is built with Hugo 0.120', agent: 'claude', source: 'tool' });
    await bob.save({ text: 'Bob prefers tabs in the shop Go code', agent: 'claude', source: 'tool' });
    const texts = async (m: Memories, scope?: 'project' | 'user' | 'global') => (await m.search('shop checkout stripe webhooks blog hugo tabs', { k: 10, ...(scope ? { scope } : {}) })).map((h) => h.memory.text).sort();
    expect(await texts(shop)).toEqual(['The shop checkout uses Stripe webhooks on /hooks/stripe']);
    expect(await texts(blog)).toEqual(['The blog is built with Hugo 0.120']);
    expect(await texts(bob)).toEqual(['Bob prefers tabs in the shop Go code']);
    expect(await texts(shop, 'user')).toEqual(['The blog is built with Hugo 0.120', 'The shop checkout uses Stripe webhooks on /hooks/stripe']);
    expect(await texts(shop, 'global')).toHaveLength(3);
    for (const m of [shop, blog, bob]) m.close();
  });

  it('ranks by meaning and by words, with provenance, filtered by agent', async () => {
    const m = await open(tempHome());
    const facts = [
      ['codex', 'The staging database listens on port 5433'],
      ['claude', 'Never edit generated files under src/gen/; run make codegen instead'],
      ['gemini', 'Integration tests need Docker running locally'],
      ['claude', 'The user prefers small commits with imperative messages'],
      ['codex', 'CI runs on GitHub Actions with Node 20'],
    ] as const;
    for (const [agent, text] of facts) await m.save({ text, agent, source: 'tool' });
    const hits = await m.search('which port does the staging db use?');
    expect(hits[0]!.memory.text).toBe('The staging database listens on port 5433');
    expect(hits[0]!.memory.agents).toEqual(['codex']);
    expect(hits[0]!.textMatch).toBe(true);
    const gen = await m.search('can I change the generated code by hand');
    expect(gen[0]!.memory.text).toMatch(/generated files/);
    const byClaude = await m.search('database port', { agent: 'claude', k: 10 });
    expect(byClaude.every((h) => h.memory.agents.includes('claude'))).toBe(true);
    m.close();
  });

  it('forget deletes by id prefix, only the user\'s own', async () => {
    const home = tempHome();
    const m = await open(home);
    const r = await m.save({ text: 'Use the eu-west-1 region for the test bucket', agent: 'user', source: 'manual' });
    const other = await open(home, 'github.com/acme/shop', 'bob');
    await expect(other.forget(r.memory.id)).rejects.toThrow(/no memory has the id/);
    expect((await m.forget(r.memory.id.slice(0, 5))).id).toBe(r.memory.id);
    expect(await m.list()).toEqual([]);
    m.close();
    other.close();
  });
});

describe('a damaged database', () => {
  it('names the path and deletes nothing', async () => {
    const home = tempHome();
    const m = await open(home);
    await m.save({ text: 'The cache TTL is 300 seconds', agent: 'user', source: 'manual' });
    m.close();
    const tableDir = join(home, 'memory', 'memories_use_lite.lance');
    const versions = join(tableDir, '_versions');
    for (const f of fs.readdirSync(versions)) fs.writeFileSync(join(versions, f), 'not a manifest');
    const before = fs.readdirSync(tableDir, { recursive: true }).sort();
    const reopened = Memories.open({ env: { HEADROOM_HOME: home, HEADROOM_USER: 'ada' }, embedder, project: 'p' }).then(async (x) => {
      try {
        return await x.list();
      } finally {
        x.close();
      }
    });
    await expect(reopened).rejects.toThrow(MemoryDbError);
    await expect(reopened).rejects.toThrow(join(home, 'memory'));
    expect(fs.readdirSync(tableDir, { recursive: true }).sort()).toEqual(before);
  });

  it('a memory path that is a file: a clear error', async () => {
    const home = tempHome();
    fs.writeFileSync(join(home, 'memory'), 'not a directory');
    await expect(MemoryStore.open(join(home, 'memory'), 'use-lite')).rejects.toThrow(/the memory database at .*memory cannot be read/);
    expect(fs.readFileSync(join(home, 'memory'), 'utf8')).toBe('not a directory');
  });
});
