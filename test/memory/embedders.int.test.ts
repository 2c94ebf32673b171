import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';
import { env as transformersEnv } from '@huggingface/transformers';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config.js';
import {
  DEFAULT_MINILM_MODEL,
  EMBEDDER_NAMES,
  EmbedderLoadError,
  embedderIdFor,
  findLocalMinilm,
  loadEmbedder,
  loadMinilm,
  loadUseLite,
} from '../../src/memory/embedders/index.js';
import { cosine, type Embedder } from '../../src/memory/types.js';
import { writeTinyModel, type TinyModel } from '../helpers/tiny-onnx.js';

const dirs: string[] = [];
function tempDir(label: string): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), `headroom-${label}-`));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const norm = (v: Float32Array) => Math.sqrt(v.reduce((n, x) => n + x * x, 0));

/** A loopback port nothing listens on: a "hub" that cannot be reached, without leaving the machine. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('use-lite (the offline default)', () => {
  let use: Embedder;
  beforeAll(async () => {
    use = await loadUseLite();
  });

  it('gives unit vectors of its declared width', async () => {
    const [v] = await use.embed(['the build uses pnpm, not npm']);
    expect(use.id).toBe('use-lite');
    expect(v).toHaveLength(use.dims);
    expect(use.dims).toBe(512);
    expect(norm(v!)).toBeCloseTo(1, 4);
  });

  it('puts a paraphrase clearly closer than an unrelated sentence', async () => {
    const [fact, paraphrase, unrelated] = await use.embed([
      'the staging database listens on port 5433',
      'staging DB runs on port 5433',
      'I bought apples at the market',
    ]);
    const close = cosine(fact!, paraphrase!);
    const far = cosine(fact!, unrelated!);
    expect(close).toBeGreaterThan(far + 0.3);
  });

  it('embeds an empty string and keeps order across batches', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => (i === 5 ? '' : `memory number ${i}: deploy with make release-${i}`));
    const all = await use.embed(texts);
    expect(all).toHaveLength(70);
    const [alone] = await use.embed([texts[66]!]);
    expect(cosine(all[66]!, alone!)).toBeGreaterThan(0.999);
    expect(all[5]).toHaveLength(512);
  });
});

describe('minilm through transformers.js, on a tiny model built by the test', () => {
  let modelsDir: string;
  let tiny: TinyModel;
  let minilm: Embedder;
  const savedHost = transformersEnv.remoteHost;

  beforeAll(async () => {
    modelsDir = tempDir('models');
    tiny = writeTinyModel(modelsDir, DEFAULT_MINILM_MODEL);
    minilm = await loadMinilm({ modelsDir });
  });
  afterEach(() => {
    transformersEnv.remoteHost = savedHost;
    vi.restoreAllMocks();
  });

  it('reports the id and the width the model produces', async () => {
    expect(minilm.id).toBe(`minilm:${DEFAULT_MINILM_MODEL}`);
    expect(minilm.dims).toBe(tiny.dims);
    const [v] = await minilm.embed(['deploy with make']);
    expect(v).toHaveLength(tiny.dims);
    expect(norm(v!)).toBeCloseTo(1, 5);
  });

  it('puts texts that share words close and texts with no word in common far apart', async () => {
    const [fact, sameWords, otherWords] = await minilm.embed([
      'The staging database listens on port 5433',
      'staging DB runs on port 5433',
      'I bought apples at market',
    ]);
    expect(cosine(fact!, sameWords!)).toBeGreaterThan(0.5);
    expect(cosine(fact!, otherWords!)).toBeLessThan(0.1);
  });

  it('keeps batch order, whatever the lengths in a batch (padding is masked out)', async () => {
    const words = tiny.words.filter((w) => !w.startsWith('##'));
    const texts = Array.from({ length: 75 }, (_, i) => words.slice(i % 7, (i % 7) + 1 + (i % 11)).join(' '));
    const batched = await minilm.embed(texts);
    expect(batched).toHaveLength(75);
    for (const i of [0, 31, 32, 40, 74]) {
      const [alone] = await minilm.embed([texts[i]!]);
      expect(cosine(batched[i]!, alone!)).toBeGreaterThan(0.9999);
    }
    expect(cosine(batched[1]!, batched[2]!)).toBeLessThan(0.9999);
  });

  it('embeds an empty string and splits words into the vocabulary pieces', async () => {
    const [empty, testing, test] = await minilm.embed(['', 'Testing', 'test']);
    expect(norm(empty!)).toBeCloseTo(1, 5);
    expect(cosine(testing!, test!)).toBeGreaterThan(0.3);
  });

  it('loads the 8-bit weights file when that is the one on disk', async () => {
    writeTinyModel(modelsDir, 'headroom-tests/tiny-q8', 'q8');
    expect(findLocalMinilm({ modelsDir, model: 'headroom-tests/tiny-q8' })?.dtype).toBe('q8');
    const q8 = await loadMinilm({ modelsDir, model: 'headroom-tests/tiny-q8' });
    expect(q8.id).toBe('minilm:headroom-tests/tiny-q8');
    expect(q8.dims).toBe(tiny.dims);
  });

  it('says what to do when HEADROOM_MODELS_DIR lacks the model, without touching the network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const empty = tempDir('no-models');
    const err = await loadMinilm({ modelsDir: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderLoadError);
    const message = (err as Error).message;
    expect(message).toContain('HEADROOM_MODELS_DIR');
    expect(message).toContain(join(empty, 'Xenova', 'all-MiniLM-L6-v2'));
    expect(message).toContain('HEADROOM_EMBEDDER=use-lite');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('names what a half-copied model folder lacks, and what broke in a complete one', async () => {
    const dir = tempDir('partial');
    const partial = writeTinyModel(dir, 'headroom-tests/partial');
    fs.rmSync(join(partial.folder, 'tokenizer.json'));
    const missing = await loadMinilm({ modelsDir: dir, model: 'headroom-tests/partial' }).catch((e: unknown) => e);
    expect((missing as Error).message).toContain(`from ${partial.folder}: missing tokenizer.json.`);

    const broken = writeTinyModel(dir, 'headroom-tests/broken');
    fs.writeFileSync(join(broken.folder, 'onnx', 'model.onnx'), 'not a model');
    const err = await loadMinilm({ modelsDir: dir, model: 'headroom-tests/broken' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderLoadError);
    expect((err as Error).message).toContain(`from ${broken.folder}: `);
    expect((err as Error).message).not.toContain('missing');
  });

  it('turns an unreachable hub into the same advice', async () => {
    const port = await closedPort();
    transformersEnv.remoteHost = `http://127.0.0.1:${port}/`;
    // The same spy the offline tests rely on sees transformers.js ask the hub here.
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const err = await loadMinilm({ model: 'headroom-tests/absent', cacheDir: tempDir('cache') }).catch((e: unknown) => e);
    expect(String(fetchSpy.mock.calls[0]?.[0])).toContain(`127.0.0.1:${port}/headroom-tests/absent/`);
    expect(err).toBeInstanceOf(EmbedderLoadError);
    expect((err as Error).message).toContain('Could not load the embedding model headroom-tests/absent from the Hugging Face Hub');
    expect((err as Error).message).toContain('set HEADROOM_MODELS_DIR');
    expect((err as Error).message).toContain('HEADROOM_EMBEDDER=use-lite');
  });

  it('loads a model already in the transformers.js cache without asking the hub', async () => {
    const cacheDir = tempDir('cache');
    writeTinyModel(cacheDir, 'headroom-tests/cached');
    transformersEnv.remoteHost = `http://127.0.0.1:${await closedPort()}/`;
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const cached = await loadMinilm({ model: 'headroom-tests/cached', cacheDir });
    expect(cached.dims).toBe(tiny.dims);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('loadEmbedder', () => {
  let modelsDir: string;
  beforeAll(() => {
    modelsDir = tempDir('models');
    writeTinyModel(modelsDir, DEFAULT_MINILM_MODEL);
  });

  it('names the choices', () => {
    expect(EMBEDDER_NAMES).toEqual(['auto', 'use-lite', 'minilm']);
  });

  // On a machine whose transformers.js cache holds MiniLM, 'auto' rightly picks it.
  it.skipIf(findLocalMinilm() !== undefined)("'auto' without a local model falls back to use-lite", async () => {
    const env = { HEADROOM_MODELS_DIR: tempDir('no-models') };
    expect(embedderIdFor(undefined, env)).toBe('use-lite');
    const embedder = await loadEmbedder(undefined, env);
    expect(embedder.id).toBe('use-lite');
    expect(await loadEmbedder('auto', {})).toBe(embedder);
  });

  it("'auto' picks minilm when HEADROOM_MODELS_DIR holds the default model", async () => {
    const env = { HEADROOM_MODELS_DIR: modelsDir };
    expect(embedderIdFor(undefined, env)).toBe(`minilm:${DEFAULT_MINILM_MODEL}`);
    const embedder = await loadEmbedder(undefined, env);
    expect(embedder.id).toBe(`minilm:${DEFAULT_MINILM_MODEL}`);
    expect(await loadEmbedder('minilm', env)).toBe(embedder);
  });

  it('honours HEADROOM_EMBEDDER', async () => {
    const env = { HEADROOM_EMBEDDER: 'use-lite', HEADROOM_MODELS_DIR: modelsDir };
    expect(embedderIdFor(undefined, env)).toBe('use-lite');
    expect((await loadEmbedder(undefined, env)).id).toBe('use-lite');
  });

  it("'minilm' with no model anywhere fails with the load advice", async () => {
    const err = await loadEmbedder('minilm', { HEADROOM_MODELS_DIR: tempDir('no-models') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderLoadError);
  });

  it('rejects an unknown name with a ConfigError that lists the choices', async () => {
    for (const attempt of [() => loadEmbedder('bert', {}), () => loadEmbedder(undefined, { HEADROOM_EMBEDDER: 'openai' })]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe('HEADROOM_EMBEDDER');
      expect((err as Error).message).toContain('auto, use-lite, minilm');
    }
    expect(() => embedderIdFor('bert', {})).toThrow(ConfigError);
  });
});
