import type { CompressContext, Compressor } from './types.js';
import { omitted } from './marker.js';
import { jsonDepthExceeds, frequentDefaults, type Defaults } from './json-stats.js';
import { selectItems } from './json-items.js';
import { queryTerms } from './relevance.js';

/**
 * JSON: re-serialised compactly, with low-information fields dropped (URLs and opaque ids
 * that repeat what their item says elsewhere, nulls, values that are the same nearly
 * everywhere), fields shared by every item of an
 * array hoisted into one note, long strings cut, and long arrays reduced to their first,
 * last, error, anomalous and query-relevant items. Every loss leaves a marker.
 */
export const jsonCompressor: Compressor = {
  kind: 'json',
  compress(text: string, ctx: CompressContext): string {
    if (jsonDepthExceeds(text, MAX_DEPTH)) return text;
    const value = parsed(text);
    // Not JSON (a truncated or mislabelled output): nothing to prune, and no failure either.
    if (value === undefined) return text;
    const pruner = new Pruner(ctx.key, queryTerms(ctx.query), frequentDefaults(value), text.length * ctx.keep);
    const pruned = pruner.prune(value, 0);
    const notes = pruner.notes();
    const body = serialize(pruned);
    return notes.length > 0 ? `${notes.join('\n')}\n${body}` : body;
  },
};

/** The parsed value, or undefined when the text is not JSON (JSON itself has no undefined). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const MAX_DEPTH = 200;
const LONG_STRING = 320;
const KEEP_STRING = 200;
const OPAQUE_RE = /^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9+/=_-]{16,}$/;
/** Only fields named like ids/digests are judged opaque: a repo called `2010BasicCensusMap` is data. */
const OPAQUE_KEY_RE = /(?:^|_|[a-z])(?:id|Id|ID)$|^(?:etag|hash|signature|checksum|digest|integrity|shasum)$/;
const URL_RE = /^(?:https?|git|ssh):\/\//;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

class Pruner {
  private readonly droppedFields = new Map<string, number>();
  private nulls = 0;

  constructor(
    private readonly key: string,
    private readonly terms: readonly string[],
    private readonly defaults: Defaults,
    private readonly inputChars: number,
  ) {}

  /** `derivable`: for an item of an array, the link-like fields that say nothing its other fields do not. */
  prune(value: unknown, depth: number, derivable?: ReadonlySet<string>): Json {
    if (typeof value === 'string') return this.string(value);
    if (Array.isArray(value)) return this.array(value, depth);
    if (value !== null && typeof value === 'object') return this.object(value as Record<string, unknown>, depth, derivable);
    return value as Json;
  }

  notes(): string[] {
    const notes: string[] = [];
    const omittedDefaults = [...this.defaults.entries()].filter(([, d]) => d.omitted > 0);
    if (omittedDefaults.length > 0) {
      const list = omittedDefaults.map(([k, d]) => `"${k}": ${d.json} (${d.omitted}x)`).join(', ');
      notes.push(`[headroom: where these keys are missing they have this value: ${list}]`);
    }
    const dropped: string[] = [];
    if (this.droppedFields.size > 0) {
      const names = [...this.droppedFields.keys()];
      const total = [...this.droppedFields.values()].reduce((a, b) => a + b, 0);
      dropped.push(omitted(total, 'field', this.key, `URLs and opaque ids: ${names.join(', ')}`));
    }
    if (this.nulls > 0) dropped.push(omitted(this.nulls, 'null field', this.key));
    return [...notes, ...dropped];
  }

  private relevantKey(k: string): boolean {
    const lower = k.toLowerCase();
    return this.terms.some((t) => lower.includes(t));
  }

  private string(s: string): string {
    if (s.length <= LONG_STRING) return s;
    return `${s.slice(0, KEEP_STRING)}${omitted(s.length - KEEP_STRING, 'char', this.key)}`;
  }

  private object(obj: Record<string, unknown>, depth: number, derivable?: ReadonlySet<string>): Json {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(obj)) {
      const d = this.defaults.get(k);
      if (d && d.json === primitiveJson(v)) {
        d.omitted++;
        continue;
      }
      if (v === null) {
        this.nulls++;
        continue;
      }
      // A link or an opaque id goes when nothing depends on it: in an item of a list, only when
      // what varies in it from item to item is already in the item's other fields (a URL per
      // matrix node is what tells the nodes apart; `html_url` repeating a repo's name is not).
      const goes = derivable ? derivable.has(k) : isLinkLike(k, v);
      if (goes && !this.relevantKey(k)) {
        this.droppedFields.set(k, (this.droppedFields.get(k) ?? 0) + 1);
        continue;
      }
      out[k] = this.prune(v, depth + 1);
    }
    return out;
  }

  private array(arr: unknown[], depth: number): Json {
    const derivable = derivableLinks(arr);
    const items = arr.map((v, i) => this.prune(v, depth + 1, derivable?.[i]));
    const hoisted = hoistShared(items);
    const budget = Math.max(4000, this.inputChars * 0.2);
    const kept = selectItems(arr, items, this.terms, budget);
    const out: Json[] = [];
    if (hoisted) out.push({ [`[same in all ${items.length} items]`]: hoisted });
    let gap = 0;
    for (let i = 0; i < items.length; i++) {
      if (kept[i]) {
        if (gap > 0) out.push(omitted(gap, 'item', this.key));
        gap = 0;
        out.push(items[i]!);
      } else gap++;
    }
    if (gap > 0) out.push(omitted(gap, 'item', this.key));
    return out;
  }
}

function isLinkLike(k: string, v: unknown): v is string {
  return typeof v === 'string' && (URL_RE.test(v) || (OPAQUE_KEY_RE.test(k) && OPAQUE_RE.test(v)));
}

const TOKEN_SPLIT_RE = /[^a-z0-9]+/;

function tokensOf(s: string): string[] {
  return s.toLowerCase().split(TOKEN_SPLIT_RE).filter((t) => t !== '');
}

/**
 * For a list of objects, the link-like fields (URLs, opaque ids) of each item that can go: the
 * parts of the value that vary from item to item all appear in the item's other fields. Parts
 * every item shares (`https`, `api.github.com`, `repos`) say nothing about the item.
 */
function derivableLinks(arr: readonly unknown[]): Array<Set<string>> | undefined {
  const objs = arr.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined));
  if (objs.filter(Boolean).length < 2) return undefined;
  const linkKeys = new Set<string>();
  for (const o of objs) if (o) for (const [k, v] of Object.entries(o)) if (isLinkLike(k, v)) linkKeys.add(k);
  const shared = new Map<string, Set<string>>();
  for (const k of linkKeys) {
    let common: Set<string> | undefined;
    for (const o of objs) {
      const v = o?.[k];
      if (typeof v !== 'string') continue;
      const tokens = new Set(tokensOf(v));
      common = common ? new Set([...common].filter((t) => tokens.has(t))) : tokens;
    }
    shared.set(k, common ?? new Set());
  }
  return objs.map((o) => {
    const out = new Set<string>();
    if (!o) return out;
    // Whole tokens: "18" is not in a hash that happens to hold those digits.
    const own = new Set(
      Object.entries(o)
        .filter(([k, v]) => !linkKeys.has(k) && (typeof v === 'string' || typeof v === 'number'))
        .flatMap(([, v]) => tokensOf(String(v))),
    );
    for (const k of linkKeys) {
      const v = o[k];
      if (typeof v !== 'string') continue;
      const common = shared.get(k)!;
      if (tokensOf(v).every((t) => common.has(t) || own.has(t))) out.add(k);
    }
    return out;
  });
}

function primitiveJson(v: unknown): string | undefined {
  return v === null || typeof v !== 'object' ? JSON.stringify(v) : undefined;
}

/** Fields with the same value in every object item (3+ items) move into one shared note. */
function hoistShared(items: Json[]): Record<string, Json> | undefined {
  if (items.length < 3 || !items.every(isObject)) return undefined;
  const objs = items as Array<Record<string, Json>>;
  const shared: Record<string, Json> = {};
  for (const [k, v] of Object.entries(objs[0]!)) {
    const s = JSON.stringify(v);
    if (s.length < 6) continue; // not worth a note
    if (objs.every((o) => k in o && JSON.stringify(o[k]) === s)) shared[k] = v;
  }
  if (Object.keys(shared).length === 0) return undefined;
  for (const o of objs) for (const k of Object.keys(shared)) delete o[k];
  return shared;
}

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Compact JSON, but arrays of objects put one item per line. */
function serialize(v: Json): string {
  if (Array.isArray(v) && v.length > 1 && v.some(isObject)) {
    return `[\n${v.map((x) => JSON.stringify(x)).join(',\n')}\n]`;
  }
  return JSON.stringify(v);
}
