/**
 * How one rule is written in the managed section: a list item with the rule's text and a short
 * trailer comment that lets a later run recognise it, e.g.
 *   - Use `npm run check`, not `npm test`. <!-- headroom:rule key=fix:npm-test sessions=3 last=2026-11-20 -->
 */

/** What the trailer records: the rule's key, how many sessions showed it, the newest one's date. */
export interface Trailer {
  key: string;
  sessions: number;
  /** YYYY-MM-DD. */
  last: string;
}

const TRAILER_RE = /^<!--\s*headroom:rule\s+([^]*?)\s*-->$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// Key characters written as they are; anything else (spaces, quotes, `>`, non-ASCII) is %-encoded
// so the trailer stays one comment made of `name=value` words.
const KEY_UNSAFE_RE = /[^A-Za-z0-9._:/@+~,-]/gu;

export function formatTrailer(t: Trailer): string {
  return `<!-- headroom:rule key=${encodeKey(t.key)} sessions=${t.sessions} last=${t.last} -->`;
}

/** Reads a trailer back; undefined for any other comment, or one without a readable key. */
export function parseTrailer(html: string): Trailer | undefined {
  const m = TRAILER_RE.exec(html.trim());
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const word of m[1]!.split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq > 0) fields.set(word.slice(0, eq), word.slice(eq + 1));
  }
  const key = decodeKey(fields.get('key'));
  if (key === undefined || key === '') return undefined;
  const sessions = Number(fields.get('sessions'));
  const last = fields.get('last') ?? '';
  return { key, sessions: Number.isSafeInteger(sessions) && sessions >= 0 ? sessions : 0, last: DATE_RE.test(last) ? last : '' };
}

/** The list item for a new rule, without its line ending. */
export function formatRuleLine(text: string, t: Trailer): string {
  return `- ${safeText(text, t.key)} ${formatTrailer(t)}`;
}

/**
 * A rule's text as one markdown line that reads back as plain list-item text: whitespace runs
 * become one space, `<!` is neutralised (an HTML comment or declaration opened there would
 * swallow the trailer), and a leading `<`, `[`, ``` or ~~~ is escaped so the item does not become
 * an HTML block, a link definition or a code fence.
 */
function safeText(text: string, key: string): string {
  let t = text.replace(/\s+/g, ' ').trim().replaceAll('<!', '&lt;!');
  if (t === '') t = key.replace(/\s+/g, ' ');
  if (/^(?:<|\[|`{3}|~{3})/.test(t)) t = `\\${t}`;
  return t;
}

function encodeKey(key: string): string {
  return key.replace(KEY_UNSAFE_RE, (ch) => {
    if (/^[!'()*]$/.test(ch)) return `%${ch.charCodeAt(0).toString(16).toUpperCase()}`;
    try {
      return encodeURIComponent(ch);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate has no UTF-8 form: write U+FFFD
    }
  });
}

function decodeKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
