#!/usr/bin/env node
// Memory benchmark: search and save latency at N memories (default 100,000), disk size, and
// embedding throughput. Run after `npm run build`:
//   node scripts/bench-memory.mjs [--memories 100000] [--queries 200] [--json]
//
// Embedding 100,000 texts with the offline embedder would take longer than the rest of the
// benchmark together, and the targets exclude query embedding, so the corpus is made from
// BASE real sentences embedded for real, each repeated with its own numbers and a small random
// perturbation of its vector (a cluster per sentence, as a project's memories form). Search and
// save then run through the real code paths (LanceDB on disk, hybrid ranking, dedup checks)
// with the vectors looked up instead of computed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { loadUseLite } from '../dist/memory/embedders/use-lite.js';
import { Memories } from '../dist/memory/memory.js';
import { exactKey } from '../dist/memory/dedup.js';
import { unitLength } from '../dist/memory/types.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('memories', 100_000);
const QUERIES = arg('queries', 200);
const BASE = 500;
const json = process.argv.includes('--json');
const log = (s) => {
  if (!json) process.stderr.write(`${s}\n`);
};

const topics = ['billing', 'search', 'auth', 'checkout', 'ingest', 'mailer', 'reports', 'gateway', 'scheduler', 'frontend'];
const facts = [
  (t, i) => `The ${t} service listens on port ${8000 + i} in staging`,
  (t, i) => `Run the ${t} tests with npm test -- --shard=${i % 8 + 1}/8`,
  (t, i) => `Never edit src/${t}/generated_${i}.ts by hand; run make codegen`,
  (t, i) => `The ${t} worker retries failed jobs ${i % 5 + 2} times with exponential backoff`,
  (t, i) => `Logs of ${t} go to /var/log/${t}/app-${i}.log and rotate daily`,
  (t, i) => `The ${t} database migration ${2024000 + i} must run before deploying`,
  (t, i) => `User prefers ${i % 2 ? 'tabs' : 'spaces'} in the ${t} Go code`,
  (t, i) => `Feature flag ${t}_beta_${i} is on only in the canary region`,
  (t, i) => `The ${t} API rate limit is ${(i % 9 + 1) * 100} requests per minute per key`,
  (t, i) => `Build ${t} with Node 20; Node ${22 + (i % 3)} breaks the native addon`,
];
const baseText = (b) => facts[b % facts.length](topics[Math.floor(b / facts.length) % topics.length], b);

function gaussian() {
  let u = 0;
  while (u === 0) u = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-bench-memory-'));
try {
  log(`loading the use-lite embedder and embedding ${BASE} base sentences ...`);
  const useLite = await loadUseLite();
  const baseTexts = Array.from({ length: BASE }, (_, b) => baseText(b));
  let t = performance.now();
  const baseVectors = await useLite.embed(baseTexts);
  const embedPerSecBatch = BASE / ((performance.now() - t) / 1000);
  t = performance.now();
  for (const s of baseTexts.slice(0, 50)) await useLite.embed([s]);
  const embedMsSingle = (performance.now() - t) / 50;

  // Precomputed vectors by text: the embedder the benchmark's Memories uses.
  const vectors = new Map();
  const lookup = {
    id: useLite.id,
    dims: useLite.dims,
    embed: async (texts) => texts.map((x) => vectors.get(x) ?? baseVectors[0]),
  };
  const variant = (b) => {
    const v = baseVectors[b].map((x) => x + 0.01 * gaussian());
    return unitLength(v);
  };

  const memories = await Memories.open({ env: { HEADROOM_HOME: home, HEADROOM_USER: 'bench' }, embedder: lookup, project: 'github.com/acme/bench' });
  log(`inserting ${N.toLocaleString('en-US')} memories ...`);
  const now = Date.now();
  const BATCH = 5_000;
  for (let i = 0; i < N; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      const b = j % BASE;
      const text = `${baseTexts[b]} (host ${j})`;
      rows.push({
        memory: { id: j.toString(16).padStart(12, '0'), text, project: 'github.com/acme/bench', user: 'bench', agents: [['claude', 'codex', 'gemini'][j % 3]], firstAgent: ['claude', 'codex', 'gemini'][j % 3], session: '', source: 'tool', createdAt: now, updatedAt: now, hits: 0, supersedes: '', embedder: useLite.id },
        exactKey: exactKey(text),
        vector: variant(b),
      });
    }
    await memories.store.insert(rows);
  }
  const optimizeMs = await time(() => memories.store.optimize());
  // The first full-text query builds the text index.
  const ftsIndexMs = await time(() => memories.search('staging port', { k: 5 }));
  const diskBytes = dirSize(join(home, 'memory'));

  log(`searching (${QUERIES} queries) ...`);
  const queries = Array.from({ length: QUERIES }, (_, q) => {
    const b = (q * 37) % BASE;
    const text = `what is ${baseTexts[b].split(' ').slice(1, 6).join(' ')}?`;
    vectors.set(text, variant(b));
    return text;
  });
  for (const q of queries.slice(0, 10)) await memories.search(q);
  const hybrid = [];
  const vectorOnly = [];
  const textOnly = [];
  let top1 = 0;
  for (const [qi, q] of queries.entries()) {
    let hits;
    hybrid.push(await time(async () => (hits = await memories.search(q, { k: 5 }))));
    if (hits[0] && hits[0].memory.text.startsWith(baseTexts[(qi * 37) % BASE])) top1++;
    vectorOnly.push(await time(() => memories.store.nearest(vectors.get(q), memories.filter(), 20)));
    textOnly.push(await time(() => memories.store.fullText(q.replace(/[^\w ]/g, ' '), memories.filter(), 20)));
  }

  log('saving (200 new memories through the dedup path) ...');
  const saves = [];
  for (let s = 0; s < 200; s++) {
    const text = `Bench fact ${s}: the cache ${s} expires after ${s + 60} seconds`;
    vectors.set(text, variant((s * 11) % BASE).map((x, d) => (d === s % useLite.dims ? x + 0.2 : x)));
    saves.push(await time(() => memories.save({ text, agent: 'codex', source: 'tool' })));
  }
  memories.close();

  const r = (x) => Math.round(x * 100) / 100;
  const result = {
    memories: N,
    queries: QUERIES,
    searchHybridMs: { p50: r(pct(hybrid, 50)), p99: r(pct(hybrid, 99)) },
    searchVectorMs: { p50: r(pct(vectorOnly, 50)), p99: r(pct(vectorOnly, 99)) },
    searchFullTextMs: { p50: r(pct(textOnly, 50)), p99: r(pct(textOnly, 99)) },
    searchTop1: r(top1 / QUERIES),
    saveMs: { p50: r(pct(saves, 50)), p99: r(pct(saves, 99)) },
    optimizeMs: Math.round(optimizeMs),
    firstFullTextQueryMs: Math.round(ftsIndexMs),
    diskMbPer10k: r((diskBytes / 1e6) * (10_000 / N)),
    useLite: { textsPerSecBatched: Math.round(embedPerSecBatch), msPerSingleText: r(embedMsSingle) },
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    console.log(`memory benchmark, ${N.toLocaleString('en-US')} memories (${os.cpus().length} cores)`);
    console.log(`  search, hybrid (vector + full text, RRF), query embedding excluded: p50 ${result.searchHybridMs.p50} ms, p99 ${result.searchHybridMs.p99} ms`);
    console.log(`    vector only p50 ${result.searchVectorMs.p50} ms, p99 ${result.searchVectorMs.p99} ms; full text only p50 ${result.searchFullTextMs.p50} ms, p99 ${result.searchFullTextMs.p99} ms`);
    console.log(`    top hit from the query's own sentence cluster: ${Math.round(result.searchTop1 * 100)}%`);
    console.log(`  save (lock, exact and semantic dedup checks, insert), embedding excluded: p50 ${result.saveMs.p50} ms, p99 ${result.saveMs.p99} ms`);
    console.log(`  optimize (vector index + compaction): ${result.optimizeMs} ms; first full-text query (builds its index): ${result.firstFullTextQueryMs} ms`);
    console.log(`  disk: ${result.diskMbPer10k} MB per 10,000 memories`);
    console.log(`  use-lite embedding: ${result.useLite.textsPerSecBatched} texts/s batched, ${result.useLite.msPerSingleText} ms for one text`);
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

function dirSize(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += fs.statSync(join(e.parentPath, e.name)).size;
  return total;
}
