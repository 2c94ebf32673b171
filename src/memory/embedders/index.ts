import { ConfigError } from '../../config.js';
import type { Embedder } from '../types.js';
import { findLocalMinilm, minilmId, type MinilmOptions } from './minilm-files.js';
import { loadMinilm } from './minilm.js';
import { loadUseLite, USE_LITE_ID } from './use-lite.js';

/**
 * Which embedder memory uses (HEADROOM_EMBEDDER): 'use-lite' works offline out of the box,
 * 'minilm' is all-MiniLM-L6-v2 through transformers.js, and 'auto' picks minilm when a local
 * copy is on disk (HEADROOM_MODELS_DIR or transformers.js' cache), else use-lite.
 */
export const EMBEDDER_NAMES = ['auto', 'use-lite', 'minilm'] as const;

export { EmbedderLoadError, loadMinilm } from './minilm.js';
export { DEFAULT_MINILM_MODEL, findLocalMinilm } from './minilm-files.js';
export { loadUseLite } from './use-lite.js';

/** Loaded embedders by what was loaded: loading one costs from ~200 ms to seconds. */
const loaded = new Map<string, Promise<Embedder>>();

/** Loads the named embedder (default HEADROOM_EMBEDDER, else 'auto'), once per process. */
export async function loadEmbedder(name?: string, env: NodeJS.ProcessEnv = process.env): Promise<Embedder> {
  const choice = resolveEmbedder(name, env);
  const key = choice.kind === 'minilm' ? `minilm\0${choice.opts.modelsDir ?? ''}` : choice.kind;
  let embedder = loaded.get(key);
  if (!embedder) {
    // Neither module loads its runtime (transformers.js, TensorFlow.js) until called here.
    embedder = choice.kind === 'minilm' ? loadMinilm(choice.opts) : loadUseLite();
    // A failed load is not kept: the user may fix the folder and try again in the same process.
    embedder.catch(() => loaded.delete(key));
    loaded.set(key, embedder);
  }
  return embedder;
}

/** The id the named embedder's vectors will carry, without loading a model. */
export function embedderIdFor(name?: string, env: NodeJS.ProcessEnv = process.env): string {
  const choice = resolveEmbedder(name, env);
  return choice.kind === 'minilm' ? minilmId() : USE_LITE_ID;
}

type Choice = { kind: 'use-lite' } | { kind: 'minilm'; opts: MinilmOptions };

function resolveEmbedder(name: string | undefined, env: NodeJS.ProcessEnv): Choice {
  const wanted = name ?? (env.HEADROOM_EMBEDDER || 'auto');
  if (!(EMBEDDER_NAMES as readonly string[]).includes(wanted)) {
    throw new ConfigError(`HEADROOM_EMBEDDER must be one of ${EMBEDDER_NAMES.join(', ')}; got "${wanted}"`, 'HEADROOM_EMBEDDER');
  }
  const opts: MinilmOptions = env.HEADROOM_MODELS_DIR ? { modelsDir: env.HEADROOM_MODELS_DIR } : {};
  if (wanted === 'minilm') return { kind: 'minilm', opts };
  if (wanted === 'auto' && findLocalMinilm(opts)) return { kind: 'minilm', opts };
  return { kind: 'use-lite' };
}
