import type { Rule } from './types.js';

/**
 * `headroom learn --llm`: a model rewords the mined rules and merges the ones that say the same
 * thing. The offline rules stand on their own; the model only edits their text and folds
 * duplicates together, keyed by rule key, so it cannot invent a rule without evidence. Any
 * problem with the model's answer leaves the offline rules as they were, with a note saying why.
 */

export interface PhraseOptions {
  env: NodeJS.ProcessEnv;
  project: string;
  /** Stops waiting for the model after this long (default 120 s). */
  timeoutMs?: number;
}

export interface Phrased {
  rules: Rule[];
  /** What happened, for the user: the model used, or why its answer was not. */
  note?: string;
}

const DEFAULT_LEARN_MODEL = 'claude-haiku-4-5';
const MAX_RULE_CHARS = 300;

const INSTRUCTIONS = `You edit the rules a tool mined from a coding agent's past sessions in one software project.
Each rule comes with its evidence: commands that failed and the ones that worked after, or what the user said.
For every rule, write one short imperative sentence a coding agent should follow in this project (name the exact
commands in backticks; no hedging, no explanation). When two rules say the same thing, merge the later one into
the earlier one. Answer with JSON only, no prose:
{"rules":[{"key":"<the rule's key>","text":"<the sentence>"},{"key":"<a duplicate's key>","merge_into":"<the key it repeats>"}]}`;

/** What the model is shown: each rule's key, kind, counts, wording and a little evidence. */
function digest(rules: readonly Rule[], project: string): string {
  const items = rules.map((r) => ({
    key: r.key,
    kind: r.kind,
    sessions: r.sessions,
    text: r.text,
    evidence: r.evidence.slice(0, 3).map((e) => ({ ...(e.failing ? { failed: e.failing } : {}), ...(e.fixing ? { then_worked: e.fixing } : {}), ...(e.quote ? { user_said: e.quote } : {}) })),
  }));
  return `Project: ${project}\n\nRules:\n${JSON.stringify(items, null, 1)}`;
}

/** Applies the model's answer to the rules: new wording for known keys, duplicates folded in. Throws on an answer it cannot use. */
function applyAnswer(rules: readonly Rule[], answer: string): Rule[] {
  const json = /\{[\s\S]*\}/.exec(answer)?.[0];
  if (!json) throw new Error('the answer holds no JSON');
  const parsed = JSON.parse(json) as { rules?: unknown };
  if (!Array.isArray(parsed.rules)) throw new Error('the answer has no "rules" list');
  const byKey = new Map(rules.map((r) => [r.key, { ...r, agents: [...r.agents], evidence: [...r.evidence] }]));
  const merges: Array<[string, string]> = [];
  for (const item of parsed.rules as Array<Record<string, unknown>>) {
    const key = typeof item?.key === 'string' ? item.key : undefined;
    const rule = key ? byKey.get(key) : undefined;
    if (!rule) continue;
    if (typeof item.merge_into === 'string' && item.merge_into !== key && byKey.has(item.merge_into)) merges.push([key!, item.merge_into]);
    else if (typeof item.text === 'string') {
      const text = item.text.replace(/\s+/g, ' ').trim();
      if (text !== '' && text.length <= MAX_RULE_CHARS) rule.text = text;
    }
  }
  for (const [from, into] of merges) {
    const a = byKey.get(from);
    const b = byKey.get(into);
    if (!a || !b) continue;
    b.sessions = Math.max(a.sessions, b.sessions);
    b.wastedTokens += a.wastedTokens;
    b.agents = [...new Set([...b.agents, ...a.agents])];
    b.evidence = [...b.evidence, ...a.evidence];
    if (a.lastSeen > b.lastSeen) b.lastSeen = a.lastSeen;
    byKey.delete(from);
  }
  return rules.map((r) => byKey.get(r.key)).filter((r): r is Rule => r !== undefined);
}

/** The Anthropic Messages API the proxy would forward to: HEADROOM_ANTHROPIC_UPSTREAM, else ANTHROPIC_BASE_URL, else the public API. */
function anthropicBase(env: NodeJS.ProcessEnv): string {
  return (env.HEADROOM_ANTHROPIC_UPSTREAM || env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com').replace(/\/+$/, '');
}

async function askAnthropic(prompt: string, env: NodeJS.ProcessEnv, model: string, timeoutMs: number): Promise<string> {
  const res = await fetch(`${anthropicBase(env)}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': env.ANTHROPIC_API_KEY ?? '', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, max_tokens: 4096, system: INSTRUCTIONS, messages: [{ role: 'user', content: prompt }] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`the model API answered ${res.status}: ${body.slice(0, 200)}`);
  const json = JSON.parse(body) as { content?: Array<{ type?: string; text?: string }> };
  return (json.content ?? []).filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
}

/**
 * Rewords and merges the rules with a model (Anthropic Messages API; ANTHROPIC_API_KEY, model
 * HEADROOM_LEARN_MODEL or DEFAULT_LEARN_MODEL). Without a key, or when the answer cannot be used,
 * returns the rules unchanged and says why in `note`.
 */
export async function phraseWithModel(rules: readonly Rule[], opts: PhraseOptions): Promise<Phrased> {
  if (!opts.env.ANTHROPIC_API_KEY) return { rules: [...rules], note: '--llm needs ANTHROPIC_API_KEY (and HEADROOM_ANTHROPIC_UPSTREAM or ANTHROPIC_BASE_URL for another endpoint); the rules are phrased offline' };
  const model = opts.env.HEADROOM_LEARN_MODEL || DEFAULT_LEARN_MODEL;
  try {
    const answer = await askAnthropic(digest(rules, opts.project), opts.env, model, opts.timeoutMs ?? 120_000);
    const phrased = applyAnswer(rules, answer);
    return { rules: phrased, note: `${model} phrased the rules${phrased.length < rules.length ? ` and merged ${rules.length - phrased.length}` : ''}` };
  } catch (err) {
    return { rules: [...rules], note: `the model's answer could not be used (${(err as Error).message}); the rules are phrased offline` };
  }
}
