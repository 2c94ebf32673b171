import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { unitLength, type Embedder } from '../types.js';
import {
  DEFAULT_MINILM_MODEL,
  findLocalMinilm,
  minilmFolder,
  minilmId,
  missingFiles,
  transformersCacheDir,
  type MinilmOptions,
} from './minilm-files.js';
import { EmbedderLoadError } from '../../errors.js';

export { EmbedderLoadError };

/** Texts per model call: bigger batches pad every text to the longest one in the batch. */
const BATCH = 32;

/**
 * all-MiniLM-L6-v2 (or another BERT-style sentence model) through transformers.js on
 * onnxruntime-node: mean-pooled token vectors scaled to unit length (384 dims for MiniLM).
 * With `modelsDir` it reads `<modelsDir>/<model>/` (or a cached copy) and never downloads;
 * without, transformers.js downloads the model once into its cache.
 */
export async function loadMinilm(opts: MinilmOptions = {}): Promise<Embedder> {
  const model = opts.model ?? DEFAULT_MINILM_MODEL;
  const extractor = await openPipeline(model, opts);
  const embedBatch = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await extractor(texts, { pooling: 'mean', normalize: false });
    const [rows, dims] = out.dims as [number, number];
    const data = out.data as Float32Array;
    return Array.from({ length: rows }, (_, i) => unitLength(data.subarray(i * dims, (i + 1) * dims)));
  };
  // The width is whatever the model produces, so any sentence model in the folder works.
  const [probe] = await embedBatch(['headroom']);
  return {
    id: minilmId(model),
    dims: probe!.length,
    async embed(texts: string[]): Promise<Float32Array[]> {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) out.push(...(await embedBatch(texts.slice(i, i + BATCH))));
      return out;
    },
  };
}


/** transformers.js keeps its settings in one shared `env`: loads take turns setting it. */
let settingsTurn: Promise<unknown> = Promise.resolve();

function openPipeline(model: string, opts: MinilmOptions): Promise<FeatureExtractionPipeline> {
  const open = async (): Promise<FeatureExtractionPipeline> => {
    // Loaded here, not at the top: transformers.js and onnxruntime cost startup time.
    const { env, pipeline } = await import('@huggingface/transformers');
    const offline = opts.modelsDir !== undefined;
    if (offline) env.localModelPath = opts.modelsDir!;
    env.allowLocalModels = offline;
    env.allowRemoteModels = !offline;
    env.cacheDir = opts.cacheDir ?? transformersCacheDir();
    // Load whichever weights are on disk; a download fetches the 8-bit file (23 MB, not 90 MB).
    const dtype = findLocalMinilm({ ...opts, model })?.dtype ?? 'q8';
    try {
      return await pipeline('feature-extraction', model, { dtype });
    } catch (err) {
      throw loadError(model, opts, err);
    }
  };
  const turn = settingsTurn.then(open, open);
  settingsTurn = turn.catch(() => undefined);
  return turn;
}

function loadError(model: string, opts: MinilmOptions, cause: unknown): EmbedderLoadError {
  const offlineFix = 'or use the offline embedder: HEADROOM_EMBEDDER=use-lite';
  if (opts.modelsDir !== undefined) {
    const folder = minilmFolder(opts.modelsDir, model);
    const missing = missingFiles(folder);
    return new EmbedderLoadError(
      `Could not load the embedding model ${model} from ${folder}: ${missing.length > 0 ? `missing ${missing.join(', ')}` : describe(cause)}. ` +
        `Copy the model there (HEADROOM_MODELS_DIR=${opts.modelsDir}) ${offlineFix}.`,
      model,
      { cause },
    );
  }
  return new EmbedderLoadError(
    `Could not load the embedding model ${model} from the Hugging Face Hub or the transformers.js cache ` +
      `(${opts.cacheDir ?? transformersCacheDir()}): ${describe(cause)}. ` +
      `Without internet, copy the model to <folder>/${model}/ and set HEADROOM_MODELS_DIR=<folder>, ${offlineFix}.`,
    model,
    { cause },
  );
}

/** An error's message with its own cause, e.g. "fetch failed (getaddrinfo ENOTFOUND huggingface.co)". */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
