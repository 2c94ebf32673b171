// Embedding throughput of each memory embedder: texts per second over 1,000 short memory-like
// sentences, embedded in batches of 32 (the size memory writes and reindexes use).
// Run `npm run build` first: the embedders are imported from ../dist.
//
// Usage: node scripts/bench-embed.mjs [--json] [--n 1000] [--batch 32]
//
// Measured: use-lite (always); minilm on the tiny one-Gather model the tests build (its figure
// is only a lower bound on transformers.js' own overhead: tokenizer, tensors, pooling, the
// onnxruntime call, not a real model's compute); and minilm on the real all-MiniLM-L6-v2 when a
// local copy exists (HEADROOM_MODELS_DIR or transformers.js' cache).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { DEFAULT_MINILM_MODEL, findLocalMinilm, loadMinilm, loadUseLite } from '../dist/memory/embedders/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { json: false, n: 1000, batch: 32 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') opts.json = true;
    else if (argv[i] === '--n') opts.n = Number(argv[++i]);
    else if (argv[i] === '--batch') opts.batch = Number(argv[++i]);
    else throw new Error(`bench-embed: unknown argument ${argv[i]}`);
  }
  return opts;
}

/** Distinct short facts of the kind agents save: ports, commands, paths, conventions. */
function memorySentences(n) {
  const services = ['staging database', 'api gateway', 'billing worker', 'auth service', 'search index', 'redis cache', 'web frontend', 'metrics exporter'];
  const facts = [
    (s, i) => `the ${s} listens on port ${5000 + i}`,
    (s, i) => `run the ${s} tests with pnpm test --filter ${s.split(' ')[0]}-${i}`,
    (s, i) => `the ${s} reads its config from config/${s.replace(' ', '-')}-${i}.yaml`,
    (s, i) => `never restart the ${s} during business hours (incident ${i})`,
    (s, i) => `the ${s} needs NODE_OPTIONS=--max-old-space-size=${2048 + i} to build`,
    (s, i) => `deploy the ${s} with make deploy-${i % 7} after the migration runs`,
  ];
  const out = [];
  for (let i = 0; out.length < n; i++) out.push(facts[i % facts.length](services[Math.floor(i / facts.length) % services.length], i));
  return out;
}

async function measure(label, load, texts, batch) {
  const loadStart = performance.now();
  const embedder = await load();
  const loadMs = performance.now() - loadStart;
  await embedder.embed(texts.slice(0, batch)); // warm-up: first-call allocations and JIT
  const start = performance.now();
  for (let i = 0; i < texts.length; i += batch) await embedder.embed(texts.slice(i, i + batch));
  const ms = performance.now() - start;
  return { embedder: label, id: embedder.id, dims: embedder.dims, loadMs: Math.round(loadMs), texts: texts.length, ms: Math.round(ms), textsPerSec: Math.round((texts.length / ms) * 1000) };
}

/** The tests' tiny-model writer, transpiled on the fly (it uses Node built-ins only). */
async function writeTinyModel(modelsDir, model) {
  const source = readFileSync(join(ROOT, 'test/helpers/tiny-onnx.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const file = join(modelsDir, 'tiny-onnx.mjs');
  writeFileSync(file, outputText);
  const helper = await import(pathToFileURL(file).href);
  return helper.writeTinyModel(modelsDir, model);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const texts = memorySentences(opts.n);
  const tinyDir = mkdtempSync(join(tmpdir(), 'headroom-bench-embed-'));
  const results = [];
  try {
    results.push(await measure('use-lite', () => loadUseLite(), texts, opts.batch));
    await writeTinyModel(tinyDir, 'headroom-bench/tiny');
    results.push(await measure('minilm (tiny test model: overhead lower bound)', () => loadMinilm({ modelsDir: tinyDir, model: 'headroom-bench/tiny' }), texts, opts.batch));
    const modelsDir = process.env.HEADROOM_MODELS_DIR || undefined;
    if (findLocalMinilm({ modelsDir })) {
      results.push(await measure(`minilm (${DEFAULT_MINILM_MODEL})`, () => loadMinilm({ modelsDir }), texts, opts.batch));
    } else if (!opts.json) {
      process.stdout.write(`(no local ${DEFAULT_MINILM_MODEL}: set HEADROOM_MODELS_DIR to measure the real model)\n`);
    }
  } finally {
    rmSync(tinyDir, { recursive: true, force: true });
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ batch: opts.batch, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${opts.n} sentences, batches of ${opts.batch}\n`);
  for (const r of results) {
    process.stdout.write(`${r.embedder.padEnd(48)} ${String(r.textsPerSec).padStart(7)} texts/s  (${r.ms} ms; load ${r.loadMs} ms; ${r.dims} dims)\n`);
  }
}

await main();
