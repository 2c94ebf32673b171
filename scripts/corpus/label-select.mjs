// Needle selection shared by the labellers: at most 8 needles per case, spread over the output.

export const MAX_NEEDLES = 8;

/** A needle: an exact line of the output (kept untrimmed here; writeCase trims) and why. */
export const needle = (text, why) => ({ text, why });

/**
 * `groups` are lists of needles in priority order, one list per failure or diagnostic, in output
 * order; `always` (the summary, say) is kept first. The first group gives up to `firstFull` (5)
 * needles (one failure seen whole: name, message, location, values); the budget left is filled
 * round by round over the other groups: the first needle of each (evenly spaced groups when
 * there are more than fit), then the second, and so on, so needles come from all over the output.
 */
export function selectNeedles(groups, always = [], max = MAX_NEEDLES, firstFull = 5) {
  const chosen = [];
  const seen = new Set();
  const take = (n) => {
    const key = n.text.trim();
    if (!key || seen.has(key) || chosen.length >= max) return;
    seen.add(key);
    chosen.push(n);
  };
  always.forEach(take);
  const [first, ...rest] = groups.filter((g) => g.length > 0);
  if (!first) return chosen;
  first.slice(0, firstFull).forEach(take);
  const others = rest.length ? rest : [first.slice(firstFull)];
  for (let round = 0; chosen.length < max; round++) {
    const candidates = others.filter((g) => g.length > round);
    if (candidates.length === 0) break;
    for (const g of spread(candidates, max - chosen.length)) take(g[round]);
  }
  return chosen;
}

/** `n` items picked evenly from `items`, always including the first and the last. */
export function spread(items, n) {
  if (items.length <= n) return items;
  if (n <= 1) return items.slice(0, n);
  const picked = [];
  for (let i = 0; i < n; i++) picked.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return [...new Set(picked)];
}

/** Lines of an output, split on \n with \r removed. */
export const linesOf = (output) => output.split('\n').map((l) => l.replace(/\r$/, ''));
