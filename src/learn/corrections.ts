/**
 * User messages that correct the agent ("no, use pnpm", "don't touch conftest.py") as opposed to
 * redirects that only ask for the next thing ("Now summarise the README"). Only a message that
 * follows a failure, a rejection or an interruption is looked at (the miner checks that).
 */

/** Leading words that only say "that was wrong", dropped from the rule text. */
const LEAD = /^(?:(?:no|nope|nah|wrong|stop|wait|hmm+|ugh|actually|hey|ok(?:ay)?|sorry|please)\b[\s,.!:;-]*)+/i;

/** Directive shapes that make a message a lasting instruction rather than a one-off request. */
const DIRECTIVES: RegExp[] = [
  /\b(?:never|always)\b/i,
  /\b(?:don'?t|do not|shouldn'?t|should not|must not|mustn'?t)\b/i,
  /\binstead\b/i,
  /\bavoid\b/i,
  /\bnot\s+\S+\s*[,;:]\s*(?:use|run)\b/i,
  /\b(?:use|run)\s+\S+.*\brather than\b/i,
  /\bwe use\b/i,
  /\b(?:you (?:should|must|need to)|make sure to)\b/i,
];

/** A message that begins by saying the agent was wrong ("No, use pnpm") and then directs. */
const REBUKE_THEN_USE = /^(?:no|nope|wrong|stop)\b[\s,.!:;-]+(?:use|run|try|it'?s|we)\b/i;

/** The message is a correction worth learning from (given that it followed a failure). */
export function isCorrection(text: string): boolean {
  const t = text.trim();
  if (t === '' || t.length > 600) return false;
  if (REBUKE_THEN_USE.test(t)) return true;
  return DIRECTIVES.some((re) => re.test(t));
}

/** The rule text from the user's words: the "No," dropped, the first letter up, a full stop at the end. */
export function correctionRuleText(text: string): string {
  let t = text.trim().replace(/\s+/g, ' ').replace(LEAD, '').trim();
  if (t === '') t = text.trim();
  t = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * A key for a correction that names no command the session ran: its content words in order, with
 * negations made one word, so "Don't touch conftest.py" and "never touch conftest.py!" meet.
 */
export function correctionKey(text: string): string {
  const words = correctionRuleText(text)
    .toLowerCase()
    .replace(/\b(?:do not|don'?t|must not|mustn'?t|should not|shouldn'?t|never)\b/g, ' never ')
    .split(/[^a-z0-9_./@-]+/)
    .map((w) => w.replace(/^[./-]+|[./-]+$/g, ''))
    .filter((w) => w !== '' && !STOP.has(w));
  return `said:${words.join(' ')}`;
}

/** The text mentions `template`: its program and every other word, as whole words. */
export function mentions(text: string, template: string): boolean {
  const lower = ` ${text.toLowerCase()} `;
  return template
    .toLowerCase()
    .split(' ')
    .filter((w) => !w.startsWith('<'))
    .every((w) => new RegExp(`[^a-z0-9_.-]${escape(w)}[^a-z0-9_-]`).test(lower.replace(/\.(?=\s|$)/g, ' ')));
}

/** The text names `program` as a word ("use pnpm" names pnpm, not npm). */
export function mentionsProgram(text: string, template: string): boolean {
  return mentions(text, template.split(' ')[0] ?? '');
}

/** Puts backticks around the commands the text names, for the instruction file. */
export function quoteCommands(text: string, commands: string[]): string {
  let out = text;
  for (const command of [...commands].sort((a, b) => b.length - a.length)) {
    if (command === '' || command.includes('<')) continue;
    const re = new RegExp(`(^|[^\`\\w.-])(${escape(command)})(?=$|[^\`\\w-]|\\.(?:\\s|$))`, 'i');
    out = out.replace(re, '$1`$2`');
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const STOP = new Set([
  'a', 'an', 'the', 'please', 'just', 'again', 'it', 'this', 'that', 'these', 'those', 'here', 'there', 'so',
  'and', 'or', 'but', 'to', 'of', 'in', 'on', 'for', 'with', 'we', 'you', 'i', 'our', 'your', 'is', 'are',
  'be', 'ever', 'any', 'anything', 'directly', 'really', 'okay', 'ok',
]);
