// Tunes the semantic-duplicate threshold of an embedder on fixtures/memory/dedup-pairs.jsonl.
// Usage: npm run build && node scripts/tune-dedup.mjs [--json] [--errors] [--lines FROM-TO] [--embedder NAME]
//   --json           machine-readable output
//   --errors         also list the tuning pairs the full rule gets wrong at the chosen threshold
//   --lines 10-20    only the fixture's lines 10 to 20 (1-based, inclusive)
//   --embedder NAME  use-lite (the default) or minilm (needs the model: HEADROOM_MODELS_DIR)
// The threshold is chosen on the tuning part only (max recall with precision >= MIN_PRECISION);
// the held-out part is scored afterwards, at the chosen and at the committed threshold.
import { loadPairs, splitPairs } from '../fixtures/memory/pairs.mjs';

const { loadEmbedder } = await import('../dist/memory/embedders/index.js');
const { cosine } = await import('../dist/memory/types.js');
const { isSemanticDuplicate, dedupThreshold, factDifference } = await import('../dist/memory/dedup.js');

const MIN_PRECISION = 0.97;
const asJson = process.argv.includes('--json');
const showErrors = process.argv.includes('--errors');
const option = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const [from, to] = option('--lines')?.split('-').map(Number) ?? [1, Infinity];

const embedder = await loadEmbedder(option('--embedder') ?? 'use-lite');
const pairs = loadPairs().filter((_, i) => i + 1 >= from && i + 1 <= (to || Infinity));
const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
const vectors = new Map(texts.map((t, i) => [t, i]));
const embedded = await embedder.embed(texts);
const scored = pairs.map((p) => ({
  ...p,
  similarity: cosine(embedded[vectors.get(p.a)], embedded[vectors.get(p.b)]),
}));
const { tune, heldOut } = splitPairs(scored);

const thresholds = [];
for (let i = 50; i <= 99; i++) thresholds.push(i / 100);

/** Precision, recall and F1 of `predict` over `set` (precision is 1 when nothing is predicted). */
function score(set, predict) {
  let tp = 0, fp = 0, fn = 0;
  for (const p of set) {
    const said = predict(p);
    if (said && p.duplicate) tp++;
    else if (said) fp++;
    else if (p.duplicate) fn++;
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1), tp, fp, fn };
}
const round = (x) => Math.round(x * 1000) / 1000;

const cosineOnly = (t) => (p) => p.similarity >= t;
const fullRule = (t) => (p) => isSemanticDuplicate(p.a, p.b, p.similarity, embedder.id, t);

function sweep(rule) {
  return thresholds.map((t) => ({ threshold: t, tune: score(tune, rule(t)), heldOut: score(heldOut, rule(t)) }));
}

/**
 * Highest recall on the tuning part with precision >= MIN_PRECISION. Thresholds that find one
 * duplicate fewer count as level with it (one pair is noise); among those, the highest
 * precision wins, then the highest threshold.
 */
function choose(rows) {
  const ok = rows.filter((r) => r.tune.precision >= MIN_PRECISION && r.tune.tp > 0);
  if (ok.length === 0) return undefined;
  const bestTp = Math.max(...ok.map((r) => r.tune.tp));
  return ok
    .filter((r) => r.tune.tp >= bestTp - 1)
    .reduce((best, r) => (r.tune.precision >= best.tune.precision ? r : best));
}

const bestF1 = (rows) => rows.reduce((b, r) => (r.tune.f1 > b.tune.f1 ? r : b));

const committed = dedupThreshold(embedder.id);
const cosineRows = sweep(cosineOnly);
const ruleRows = sweep(fullRule);
const result = {
  embedder: embedder.id,
  pairs: { total: pairs.length, tune: tune.length, heldOut: heldOut.length },
  minPrecision: MIN_PRECISION,
  committedThreshold: committed,
  cosineOnly: { sweep: cosineRows, chosen: choose(cosineRows), bestF1: bestF1(cosineRows) },
  fullRule: { sweep: ruleRows, chosen: choose(ruleRows), bestF1: bestF1(ruleRows) },
  atCommitted: {
    tune: score(tune, fullRule(committed)),
    heldOut: score(heldOut, fullRule(committed)),
    all: score(scored, fullRule(committed)),
  },
};

if (asJson) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const fmt = (s) => `${s.precision.toFixed(3)} ${s.recall.toFixed(3)} ${s.f1.toFixed(3)}`;
  console.log(`${pairs.length} pairs (${tune.length} tuning, ${heldOut.length} held out), embedder ${embedder.id}`);
  console.log('columns: precision recall F1 on the tuning part; held out in brackets');
  console.log('thr   cosine alone                            full rule');
  for (let i = 0; i < thresholds.length; i++) {
    const c = result.cosineOnly.sweep[i];
    const r = result.fullRule.sweep[i];
    console.log(`${c.threshold.toFixed(2)}  ${fmt(c.tune)} [${fmt(c.heldOut)}]  ${fmt(r.tune)} [${fmt(r.heldOut)}]`);
  }
  for (const [name, { chosen, bestF1: f1 }] of [['cosine alone', result.cosineOnly], ['full rule', result.fullRule]]) {
    console.log(
      chosen
        ? `chosen for ${name} (max recall, precision >= ${MIN_PRECISION}): ${chosen.threshold.toFixed(2)}  tuning ${fmt(chosen.tune)}  held out ${fmt(chosen.heldOut)}`
        : `${name}: no threshold reaches precision ${MIN_PRECISION} on the tuning part (best F1 ${f1.tune.f1} at ${f1.threshold.toFixed(2)}, precision ${f1.tune.precision})`,
    );
  }
  const a = result.atCommitted;
  console.log(`committed DEDUP_THRESHOLDS['${embedder.id}'] = ${committed}: tuning ${fmt(a.tune)}  held out ${fmt(a.heldOut)}  all ${fmt(a.all)}`);
}

if (showErrors) {
  const t = result.fullRule.chosen?.threshold ?? committed;
  console.log(`\ntuning pairs the full rule gets wrong at ${t}:`);
  for (const p of tune) {
    if (fullRule(t)(p) === p.duplicate) continue;
    const why = p.duplicate ? (p.similarity < t ? 'below threshold' : JSON.stringify(factDifference(p.a, p.b))) : 'merged';
    console.log(`${p.duplicate ? 'MISSED' : 'WRONG '} ${p.similarity.toFixed(3)} ${why}\n   ${p.a}\n   ${p.b}`);
  }
}
