/**
 * Finds the explicit requests to remember something in what a user typed, and returns the
 * facts to save, in order, each once:
 *
 *   "Remember that the staging DB listens on 5433."   -> "the staging DB listens on 5433"
 *   "remember: X", "please remember (that) X", "note for the future: X", "for future reference: X",
 *   "from now on, X", "don't forget that X", "keep in mind that X", "bear in mind that X"
 *
 * A request counts only at the start of a line or sentence (after an optional "also", "and",
 * "btw", "ok" and an optional "please"), so "do you remember ...", "I can't remember ..." and
 * "remember when ..." do not. Questions ("Remember that bug?") do not; neither does text in
 * fenced code blocks, in `>` quoted lines or starting with a quote mark or backtick.
 *
 * "Remember to X" / "don't forget to X" is usually a one-off task for this session ("remember
 * to update the changelog"), so it is saved only when X reads as a standing rule: it says
 * when or how always ("before committing", "whenever", "every time", "instead of", "always",
 * "never", ...). "Remember to run the linter before committing" is saved as "run the linter
 * before committing"; "remember to bump the version" is not saved.
 */
export function rememberRequests(text: string): string[] {
  const facts: string[] = [];
  for (const sentence of sentences(withoutCode(text))) {
    const fact = factOf(sentence);
    if (fact !== undefined && !facts.includes(fact)) facts.push(fact);
  }
  return facts;
}

/** Words that may come before the request: "Also, remember that ...", "OK, please remember ...". */
const LEAD = /^(?:(?:also|and|but|oh|ok|okay|so|btw|ps|by the way|one more thing)\b[,:]?\s+)*/i;
const PLEASE = /^please\b,?\s+/i;

/** Request openings, each capturing the fact. Tried in order on the sentence after LEAD. */
const REQUESTS: readonly RegExp[] = [
  /^remember\s*[:,-]?\s+that\s+(.+)$/is,
  /^remember\s*:\s*(.+)$/is,
  /^(?:a\s+)?note\s+for\s+(?:the\s+)?future\s*[:,-]\s*(.+)$/is,
  /^for\s+future\s+reference\s*[:,-]\s*(.+)$/is,
  /^from\s+now\s+on\s*[:,-]?\s+(.+)$/is,
  /^(?:don'?t|do\s+not|never)\s+forget\s*(?::\s*|,?\s+that\s+)(.+)$/is,
  /^(?:keep|bear)\s+in\s+mind\s*(?::\s*|,?\s+that\s+)(.+)$/is,
];
/** "remember to X" and the like: saved only for a standing rule (see STANDING). */
const REMEMBER_TO = /^(?:remember|(?:don'?t|do\s+not|never)\s+forget)\s+to\s+(.+)$/is;
/** "please remember X": the bare form only after "please" ("Remember the bug from yesterday" is no request). */
const BARE_REMEMBER = /^remember\s+(?!to\s)(.+)$/is;
/** Words that make "remember to X" a rule rather than a one-off task ("when" does not: "ping me when it is done"). */
const STANDING =
  /\b(always|never|before|after|whenever|every\s*time|each\s+time|every|each|in\s+(?:the\s+)?future|from\s+now\s+on|going\s+forward|by\s+default|instead\s+of|unless|any\s+time)\b/i;

function factOf(sentence: string): string | undefined {
  const s = sentence.trim();
  if (!/^[a-z]/i.test(s) || /\?["')\]]*$/.test(s)) return undefined;
  const lead = s.replace(LEAD, '');
  const please = PLEASE.exec(lead);
  const body = please ? lead.slice(please[0].length) : lead;
  for (const request of REQUESTS) {
    const m = request.exec(body);
    if (m) return cleaned(m[1]!);
  }
  const to = REMEMBER_TO.exec(body);
  if (to) return STANDING.test(to[1]!) ? cleaned(to[1]!) : undefined;
  const bare = please ? BARE_REMEMBER.exec(body) : null;
  return bare ? cleaned(bare[1]!) : undefined;
}

/** The fact without a leading "that", outer quotes or trailing punctuation; undefined if too short to mean anything. */
function cleaned(raw: string): string | undefined {
  let fact = raw.replace(/\s+/g, ' ').trim().replace(/^that\s+/i, '');
  fact = fact.replace(/[\s.,;:!]+$/, '');
  const quoted = /^(["'“‘])(.*)(["'”’])$/.exec(fact);
  if (quoted) fact = quoted[2]!.trim().replace(/[\s.,;:!]+$/, '');
  const words = fact.split(' ').filter((w) => /[a-z0-9]/i.test(w));
  return words.length >= 2 ? fact : undefined;
}

/** The text without fenced code blocks and `>` quoted lines. */
function withoutCode(text: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      out.push('');
    } else if (opener !== undefined) {
      fence = opener;
      out.push('');
    } else {
      out.push(/^\s*>/.test(line) ? '' : line);
    }
  }
  return out.join('\n');
}

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATION = /(?:^|\s)(?:e\.g|i\.e|etc|vs|cf|approx|incl|esp)\.$/i;

/** Lines, then sentences: a sentence ends at . ! or ? followed by white space. List markers and headings are dropped. */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/^\s*(?:[-*+]|\d+[.)]|#{1,6})\s+/, '');
    let start = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if ((c === '.' || c === '!' || c === '?') && (i + 1 === line.length || /\s/.test(line[i + 1]!))) {
        if (c === '.' && ABBREVIATION.test(line.slice(start, i + 1))) continue;
        out.push(line.slice(start, i + 1));
        start = i + 1;
      }
    }
    out.push(line.slice(start));
  }
  return out.map((s) => s.trim()).filter((s) => s !== '');
}
