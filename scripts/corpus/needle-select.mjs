// Turns a labeller's candidate lines into at most 8 needles. Candidates carry the index of their
// line, so needles can be spread over the output instead of bunched at its start or end.
// Labellers rank lines in tiers (the failure header, the exception line and the summary first);
// lower tiers fill the remaining places, evenly spread.

export const MAX_NEEDLES = 8;

/** The output as lines, with a helper to find the candidates a labeller wants. */
export function linesOf(output) {
  return output.split('\n');
}

/** `n` items of `items` (already in output order), evenly spaced, first and last included. */
export function pickSpread(items, n) {
  if (items.length <= n) return items.slice();
  if (n <= 0) return [];
  if (n === 1) return [items[Math.floor(items.length / 2)]];
  const picked = [];
  for (let k = 0; k < n; k++) picked.push(items[Math.round((k * (items.length - 1)) / (n - 1))]);
  return picked;
}

/**
 * Candidates are {index, text, why, tier}: tier 0 lines are kept first (the failure header, the
 * exception line, the summary), then tier 1, then tier 2 (useful context), each tier spread
 * evenly over the output when it has more lines than places are left. Returns needles
 * [{text, why}] in output order. A text is kept once, at its first candidate.
 */
export function selectNeedles(candidates, cap = MAX_NEEDLES) {
  const seen = new Set();
  const unique = [];
  for (const c of [...candidates].sort((a, b) => a.index - b.index)) {
    const text = c.text.trim();
    if (!text || seen.has(text)) continue;
    seen.add(text);
    unique.push({ ...c, text });
  }
  const chosen = [];
  for (const tier of [0, 1, 2]) {
    chosen.push(...pickSpread(unique.filter((c) => (c.tier ?? 2) === tier), cap - chosen.length));
  }
  return chosen.sort((a, b) => a.index - b.index).map(({ text, why }) => ({ text, why }));
}

/** A candidate for line `index` of `lines`; tier 0 is kept first, 2 last. */
export function cand(lines, index, why, tier = 2) {
  return { index, text: lines[index], why, tier };
}

/**
 * Tokens of the needles that the task or thought must not give away: numbers of 2+ digits,
 * quoted strings (other than a plain lowercase word, such as a binary's name), and identifiers that are CamelCase, snake_case or carry a digit (test names,
 * error codes, symbols). Plain lowercase words (a module's name) may be shared.
 */
export function leakedTokens(needles, texts) {
  const prose = texts.join('\n');
  const leaks = new Set();
  for (const { text } of needles) {
    if (prose.includes(text)) leaks.add(text);
    for (const m of text.matchAll(/(["'`])([^"'`\s][^"'`]{2,}[^"'`\s])\1/g)) {
      if (!/^[a-z]+$/.test(m[2]) && prose.includes(m[2])) leaks.add(m[2]);
    }
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]{5,}/g)) {
      const t = m[0];
      const distinctive = /[a-z][A-Z]/.test(t) || t.includes('_') || /\d/.test(t);
      if (distinctive && new RegExp(`\\b${t}\\b`).test(prose)) leaks.add(t);
    }
    for (const m of text.matchAll(/\d{2,}(?:\.\d+)?/g)) if (new RegExp(`(?<![\\w.])${m[0].replace('.', '\\.')}(?![\\w.])`).test(prose)) leaks.add(m[0]);
  }
  return [...leaks];
}
