import * as fs from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { END_MARKER, findSection, START_MARKER, type ManagedSection, type TrailerSpan } from './managed-section.js';
import { formatRuleLine, formatTrailer, type Trailer } from './managed-rules.js';
import type { Rule } from './types.js';
import { splitBom } from '../utf8-bom.js';
import { ManagedSectionError } from '../errors.js';

export { applyWrite, readTarget, learnBackupsDir, type ApplyOptions } from './writer-fs.js';
export { ManagedSectionError, WriteTargetError, type WriteTargetProblem } from '../errors.js';

/** What writing the rules into one instruction file would change; made by planWrite, carried out by applyWrite. */
export interface WritePlan {
  path: string;
  /** The file's text when the plan was made; undefined when the file does not exist and will be created. */
  before: string | undefined;
  after: string;
  changed: boolean;
  /** The file had no managed section: one is appended (or the file is created with it). */
  sectionCreated: boolean;
  /** Rules whose key was not in the section yet, appended at its end. */
  added: Rule[];
  /** Rules already in the section whose count or date moved: merged figures, and the text as the file has it. */
  updated: Rule[];
  /** Rules already in the section with nothing new. */
  unchanged: number;
  /** Unified diff of before -> after; empty when nothing changes. */
  diff: string;
}

/**
 * Plans merging `rules` into the managed section of the instruction file at `path`, whose text is
 * `original` (undefined: the file does not exist yet). Pure: reads only the section template.
 *
 * Every character outside the section stays as it is: the section is found with the markdown
 * parser and the original text is spliced, never re-serialised. A missing section is appended at
 * the end of the file, after one blank line, in the file's own line endings (not when there are
 * no rules to write: then nothing changes).
 *
 * Merge, by rule key:
 * - a new key is appended as a list item just before the end marker;
 * - a known key keeps its line as the user sees it (their wording stays); only its trailer moves,
 *   to the larger session count and the newer last-seen date. Max, not sum: each mine counts again
 *   the sessions still on disk, so adding would double count on every run, and max never lowers a
 *   count when old transcripts were deleted or the run looked at a shorter `--since` window;
 * - rules in the section that are not mined again, and lines without a trailer, are left exactly
 *   as they are. When a key appears twice in the section, the first one is the rule.
 * Planning the same rules again on the result changes nothing.
 *
 * Throws ManagedSectionError when the markers are broken or the section could not be read back.
 */
export function planWrite(path: string, original: string | undefined, rules: Rule[]): WritePlan {
  const incoming = mergeIncoming(rules);
  // The parser skips a byte order mark without counting it, so offsets are found in the text after it.
  const { bom, body } = splitBom(original ?? '');
  const found = findSection(path, body);
  if (!found && incoming.length === 0) return { path, before: original, after: original ?? '', changed: false, sectionCreated: false, added: [], updated: [], unchanged: 0, diff: '' };
  const { text, section } = found ? { text: body, section: found } : appendSection(body);
  const merged = mergeRules(text, section, incoming);
  const after = bom + merged.text;
  const changed = original === undefined || after !== original;
  if (changed) checkReadsBack(path, body, merged.text, found ? undefined : section.start.from, incoming);
  const diff = changed ? createTwoFilesPatch(original === undefined ? '/dev/null' : path, path, original ?? '', after, undefined, undefined, { context: 3 }) : '';
  return { path, before: original, after, changed, sectionCreated: !found, added: merged.added, updated: merged.updated, unchanged: merged.unchanged, diff };
}

interface Edit {
  from: number;
  to: number;
  insert: string;
}

function mergeRules(text: string, section: ManagedSection, incoming: Rule[]): { text: string; added: Rule[]; updated: Rule[]; unchanged: number } {
  const known = new Map<string, TrailerSpan>();
  for (const t of section.trailers) if (!known.has(t.trailer.key)) known.set(t.trailer.key, t);
  const edits: Edit[] = [];
  const newLines: string[] = [];
  const added: Rule[] = [];
  const updated: Rule[] = [];
  let unchanged = 0;
  for (const rule of incoming) {
    const found = known.get(rule.key);
    if (!found) {
      newLines.push(formatRuleLine(rule.text, { key: rule.key, sessions: rule.sessions, last: rule.lastSeen }));
      added.push(rule);
      continue;
    }
    const old = found.trailer;
    const next: Trailer = { key: old.key, sessions: Math.max(old.sessions, rule.sessions), last: newerDate(old.last, rule.lastSeen) };
    if (next.sessions === old.sessions && next.last === old.last) {
      unchanged++;
      continue;
    }
    edits.push({ from: found.from, to: found.to, insert: formatTrailer(next) });
    updated.push({ ...rule, text: itemText(text, found.from), sessions: next.sessions, lastSeen: next.last });
  }
  if (newLines.length > 0) {
    const eol = lineEnding(text);
    const at = lineStart(text, section.end.from);
    edits.push({ from: at, to: at, insert: newLines.map((line) => line + eol).join('') });
  }
  return { text: splice(text, edits), added, updated, unchanged };
}

/** One entry per key, in first-seen order; a key given twice keeps the first text and the larger figures. */
function mergeIncoming(rules: Rule[]): Rule[] {
  const byKey = new Map<string, Rule>();
  for (const r of rules) {
    const rule = { ...r, sessions: Number.isFinite(r.sessions) ? Math.max(0, Math.floor(r.sessions)) : 0, lastSeen: dayOf(r.lastSeen) };
    const seen = byKey.get(rule.key);
    byKey.set(rule.key, seen ? { ...seen, sessions: Math.max(seen.sessions, rule.sessions), lastSeen: newerDate(seen.lastSeen, rule.lastSeen) } : rule);
  }
  return [...byKey.values()];
}

let template: string | undefined;

function sectionTemplate(): string {
  template ??= fs.readFileSync(new URL('../../templates/learn-section.md', import.meta.url), 'utf8');
  return template;
}

/** The text with an empty managed section appended, and where its markers are; what was there before is not touched. */
function appendSection(text: string): { text: string; section: ManagedSection } {
  const eol = lineEnding(text);
  const block = sectionTemplate().replace(/\r?\n/g, eol);
  const sep = text === '' || /\n\r?\n$/.test(text) ? '' : text.endsWith('\n') ? eol : eol + eol;
  const at = text.length + sep.length;
  const marker = (m: string, line: number) => ({ from: at + block.indexOf(m), to: at + block.indexOf(m) + m.length, line });
  return {
    text: text + sep + block,
    // Lines are not needed before the re-parse in checkReadsBack, which reports real ones.
    section: { start: marker(START_MARKER, 0), end: marker(END_MARKER, 0), trailers: [] },
  };
}

/**
 * A last check, on the text about to be written, that the parser finds the section where it was
 * put (an appended one could be swallowed by a code fence or HTML block the file leaves open) and
 * every rule in it, so a re-run merges instead of duplicating.
 */
function checkReadsBack(path: string, original: string, text: string, appendedAt: number | undefined, incoming: Rule[]): void {
  let section: ManagedSection | undefined;
  try {
    section = findSection(path, text);
  } catch (err) {
    if (!(err instanceof ManagedSectionError) || appendedAt === undefined) throw err;
  }
  if (appendedAt !== undefined && section?.start.from !== appendedAt) {
    throw new ManagedSectionError(
      path,
      original.split('\n').length,
      'the file ends inside an open block (an unclosed code fence or HTML block), so a section appended after it would not be read back; close that block first',
    );
  }
  const keys = new Set(section?.trailers.map((t) => t.trailer.key));
  const lost = incoming.find((r) => !keys.has(r.key));
  if (section && !lost) return;
  throw new ManagedSectionError(path, section?.end.line ?? 1, `the rule "${lost?.key ?? ''}" would not read back from the managed section (its text or the lines around it change how the section parses); nothing was written`);
}

function splice(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.insert + out.slice(e.to);
  return out;
}

/** The list item's text in front of its trailer, without the bullet. */
function itemText(text: string, trailerFrom: number): string {
  return text
    .slice(lineStart(text, trailerFrom), trailerFrom)
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')
    .trim();
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The file's line ending, taken from its first line (LF for a file with none). */
function lineEnding(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

function dayOf(date: string): string {
  return /^\d{4}-\d{2}-\d{2}/.exec(date ?? '')?.[0] ?? '';
}

function newerDate(a: string, b: string): string {
  return a >= b ? a : b;
}
