import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, headroomHome } from './config.js';
import { stripBom } from './utf8-bom.js';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
}

export interface PriceTable {
  /** The day the prices were taken. */
  taken: string;
  source: string;
  models: Record<string, ModelPrice>;
}

const BUNDLED = fileURLToPath(new URL('../data/pricing.json', import.meta.url));

function isPrice(v: unknown): v is ModelPrice {
  const p = v as ModelPrice;
  return typeof p === 'object' && p !== null && [p.input, p.cachedInput, p.output].every((n) => typeof n === 'number' && n >= 0);
}

function readTable(path: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(stripBom(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new ConfigError(`cannot read the price table ${path}: ${(err as Error).message}`, 'pricing', { path, cause: err });
  }
  const t = raw as PriceTable;
  if (typeof t?.models !== 'object' || t.models === null || !Object.values(t.models).every(isPrice)) {
    throw new ConfigError(`${path}: expected {"taken", "models": {"<model>": {"input", "cachedInput", "output"}}} (USD per million tokens)`, 'pricing', { path });
  }
  return { taken: String(t.taken ?? 'unknown'), source: String(t.source ?? path), models: t.models };
}

/**
 * The bundled table, with the user's overrides on top: HEADROOM_PRICING names a file, else
 * HEADROOM_HOME/pricing.json when it exists. Same shape; its models replace or add to ours.
 */
export function loadPricing(env: NodeJS.ProcessEnv = process.env): PriceTable {
  const table = readTable(BUNDLED);
  const userFile = env.HEADROOM_PRICING || join(headroomHome(), 'pricing.json');
  if (!env.HEADROOM_PRICING && !existsSync(userFile)) return table;
  const user = readTable(userFile);
  return { taken: user.taken, source: user.source, models: { ...table.models, ...user.models } };
}

/** The price of a model id: the longest table name it starts with, at a `-`, `@` or its end. */
export function priceFor(table: PriceTable, model: string): ModelPrice | undefined {
  const id = model.toLowerCase().replace(/^models\//, '');
  let best: string | undefined;
  for (const name of Object.keys(table.models)) {
    if (!id.startsWith(name)) continue;
    const next = id[name.length];
    if (next !== undefined && next !== '-' && next !== '@') continue;
    if (!best || name.length > best.length) best = name;
  }
  return best ? table.models[best] : undefined;
}

/**
 * Estimated USD saved by one request's compression, cache-aware: tokens saved on outputs
 * compressed in this request count at the input price, those replayed from earlier requests
 * at the cached-input price (a prompt cache would have served them). Undefined for models
 * the table does not price.
 */
export function moneySaved(table: PriceTable, r: { model: string; tokensBefore: number; tokensAfter: number; savedFresh: number }): number | undefined {
  const saved = r.tokensBefore - r.tokensAfter;
  if (saved <= 0) return 0;
  const p = priceFor(table, r.model);
  if (!p) return undefined;
  const fresh = Math.min(Math.max(r.savedFresh, 0), saved);
  return (fresh * p.input + (saved - fresh) * p.cachedInput) / 1e6;
}

/**
 * Estimated USD saved by compressing one command's output at the source: the tokens kept out of
 * the conversation, counted once at the input price of the session's model. (Later requests would
 * have carried them again, mostly from the prompt cache; that is not counted, so this is a lower
 * bound.) Undefined for models the table does not price.
 */
export function sourceMoneySaved(table: PriceTable, s: { model: string; tokensBefore: number; tokensAfter: number }): number | undefined {
  return moneySaved(table, { ...s, savedFresh: s.tokensBefore - s.tokensAfter });
}

/**
 * What a provider bills a cache write at, as a multiple of the input price. Anthropic bills a
 * 5-minute write at 1.25x (a 1-hour one at 2x; the ledger does not tell them apart, so writes
 * are priced as 5-minute ones, the default). OpenAI and Gemini bill no writes.
 */
export const CACHE_WRITE_FACTOR: Readonly<Record<string, number>> = { anthropic: 1.25 };

/** Provider-reported token counts by billing class (the ledger's receipt of one request). */
export interface BilledTokens {
  /** Input not served from the cache (nor written to it). */
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/**
 * USD a provider bills for one request's receipt: plain input at the input price, cache reads at
 * the table's cached-input price, cache writes at the provider's write factor times the input
 * price, output at the output price. Undefined for models the table does not price.
 */
export function billedUsd(table: PriceTable, provider: string, model: string, t: BilledTokens): number | undefined {
  const p = priceFor(table, model);
  if (!p) return undefined;
  const write = CACHE_WRITE_FACTOR[provider] ?? 1;
  return (t.input * p.input + t.cacheRead * p.cachedInput + t.cacheWrite * p.input * write + t.output * p.output) / 1e6;
}
