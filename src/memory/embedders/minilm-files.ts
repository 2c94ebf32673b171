import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where a local copy of a transformers.js sentence model lives, found with the file system
 * only, so callers can choose an embedder without loading transformers.js.
 */
export const DEFAULT_MINILM_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface MinilmOptions {
  /** A folder holding `<model>/` (HEADROOM_MODELS_DIR). When set nothing is downloaded. */
  modelsDir?: string;
  /** Hugging Face model id (default Xenova/all-MiniLM-L6-v2). */
  model?: string;
  /** Where transformers.js keeps downloads (default: its own cache folder). */
  cacheDir?: string;
}

export function minilmId(model: string = DEFAULT_MINILM_MODEL): string {
  return `minilm:${model}`;
}

/** `<root>/<model>`, the layout of both a models folder and transformers.js' cache. */
export function minilmFolder(root: string, model: string): string {
  return join(root, ...model.split('/'));
}

/** transformers.js' default download cache: `.cache/` in its package folder. */
export function transformersCacheDir(): string {
  const entry = createRequire(import.meta.url).resolve('@huggingface/transformers');
  return join(dirname(dirname(entry)), '.cache');
}

/** Weights file per dtype, under `<model>/onnx/`; full precision first. */
const WEIGHTS = [
  ['fp32', 'model.onnx'],
  ['q8', 'model_quantized.onnx'],
] as const;

export interface LocalModel {
  folder: string;
  dtype: (typeof WEIGHTS)[number][0];
}

/**
 * The complete local copy of a model, if there is one: in `modelsDir` when given, then in the
 * transformers.js cache (which transformers.js also reads when a models folder is set).
 */
export function findLocalMinilm(opts: MinilmOptions = {}): LocalModel | undefined {
  const model = opts.model ?? DEFAULT_MINILM_MODEL;
  const roots = [opts.modelsDir, opts.cacheDir ?? transformersCacheDir()].filter((r): r is string => r !== undefined);
  for (const root of roots) {
    const folder = minilmFolder(root, model);
    if (missingFiles(folder).length > 0) continue;
    const [dtype] = WEIGHTS.find(([, file]) => existsSync(join(folder, 'onnx', file)))!;
    return { folder, dtype };
  }
  return undefined;
}

const TEXT_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** What a model folder lacks, for error messages ([] when it looks complete). */
export function missingFiles(folder: string): string[] {
  const missing = TEXT_FILES.filter((f) => !existsSync(join(folder, f)));
  if (!WEIGHTS.some(([, file]) => existsSync(join(folder, 'onnx', file)))) missing.push('onnx/model.onnx (or onnx/model_quantized.onnx)');
  return missing;
}
