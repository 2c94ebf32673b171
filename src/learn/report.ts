import { homedir } from 'node:os';
import { relative } from 'node:path';
import type { LearnResult } from './learn.js';
import type { Evidence, Rule } from './types.js';
import type { WritePlan } from './writer.js';

/** What `headroom learn` prints for people: the lessons with their evidence, then each file's diff. */

/** Evidence lines shown per rule; the rest are counted. */
const EVIDENCE_SHOWN = 3;

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** `~/x` for paths in the home folder. */
export function tildePath(path: string): string {
  const home = homedir();
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

function kTokens(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

/** One line of a rule's facts: kind, sessions, agents, tokens wasted, last seen. */
export function ruleFacts(rule: Rule): string {
  const kind = rule.kind === 'fix' ? 'failure then fix' : rule.kind === 'correction' ? 'user correction' : 'repeated failure';
  return `${kind} · ${plural(rule.sessions, 'session')} · ${rule.agents.join(', ')} · ~${kTokens(rule.wastedTokens)} tokens wasted · last ${rule.lastSeen}`;
}

export function evidenceLine(e: Evidence): string {
  const when = e.time ? ` ${e.time.slice(0, 16).replace('T', ' ')}` : '';
  const what: string[] = [];
  if (e.failing) what.push(`failed: ${oneLine(e.failing)}`);
  if (e.fixing) what.push(`then worked: ${oneLine(e.fixing)}`);
  if (e.quote) what.push(`user said: "${oneLine(e.quote)}"`);
  // A uuid-like session id is known by its end (time-ordered ids share their start); any other (Aider's start time) is shown whole.
  const session = /^[0-9a-f-]{16,}$/i.test(e.session) ? `…${e.session.slice(-8)}` : e.session;
  return `${e.agent} ${session}${when}  ${what.join('  ')}  (${tildePath(e.file)}:${e.line})`;
}

function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The rules, numbered, each with its facts and its newest evidence. */
export function formatRules(rules: readonly Rule[]): string {
  const out: string[] = [];
  rules.forEach((rule, i) => {
    out.push(`${i + 1}. ${rule.text}`);
    out.push(`   ${ruleFacts(rule)}`);
    for (const e of rule.evidence.slice(0, EVIDENCE_SHOWN)) out.push(`   - ${evidenceLine(e)}`);
    if (rule.evidence.length > EVIDENCE_SHOWN) out.push(`   - and ${rule.evidence.length - EVIDENCE_SHOWN} more`);
  });
  return out.join('\n');
}

/** Where learn looked and what it read, in a few lines. */
export function formatSources(result: LearnResult): string {
  const out: string[] = [];
  for (const l of result.looked) {
    const since = l.olderThanSince > 0 ? `, ${l.olderThanSince} older than --since` : '';
    out.push(`  ${l.agent.padEnd(8)} ${tildePath(l.where)}: ${l.state === 'found' ? `${plural(l.files, 'transcript')}${since}` : l.state}`);
  }
  const sessions = Object.entries(result.read.sessions).map(([a, n]) => `${a} ${n}`).join(', ');
  out.push(`  read ${plural(result.read.files, 'transcript')} of this project (${(result.read.bytes / 1e6).toFixed(1)} MB${sessions ? `; sessions: ${sessions}` : ''})`);
  const skipped = result.counts.malformed + result.counts.unknown;
  if (skipped > 0) out.push(`  skipped ${plural(result.counts.malformed, 'malformed line')} and ${plural(result.counts.unknown, 'record')} of unknown types`);
  if (result.counts.oversized) out.push(`  skipped ${plural(result.counts.oversized, 'session file')} too big to read whole`);
  return out.join('\n');
}

/** Why no transcript of the project was read: where learn looked, and where the sessions it saw worked. */
export function nothingReadMessage(result: LearnResult): string {
  const found = result.looked.reduce((n, l) => n + l.files, 0);
  const where = result.looked.map((l) => `${tildePath(l.where)} (${l.state === 'found' ? plural(l.files, 'transcript') : l.state})`).join(', ');
  if (found === 0) return `no agent transcripts found; looked in ${where}`;
  const lines = [`none of the ${plural(found, 'transcript')} found belongs to ${tildePath(result.projectRoot)}; looked in ${where}`];
  if (result.otherProjects.length > 0) {
    lines.push(`sessions found worked in: ${result.otherProjects.map((o) => `${tildePath(o.cwd)} (${o.files})`).join(', ')}`);
    lines.push('run it in one of those folders, or pass --project DIR');
  }
  if (result.looked.some((l) => l.olderThanSince > 0)) lines.push('some transcripts are older than --since');
  return lines.join('\n');
}

/** The change to each file, as a heading and a unified diff. */
export function formatPlans(plans: readonly WritePlan[], cwd: string): string {
  const out: string[] = [];
  for (const p of plans) {
    const name = relative(cwd, p.path) || p.path;
    if (!p.changed) {
      out.push(`${name}: already up to date (${plural(p.unchanged, 'rule')})`);
      continue;
    }
    const what = [p.added.length > 0 ? `${p.added.length} new` : '', p.updated.length > 0 ? `${p.updated.length} updated` : ''].filter(Boolean).join(', ');
    out.push(`${name}: ${p.before === undefined ? 'new file, ' : p.sectionCreated ? 'new section, ' : ''}${what}`);
    out.push(p.diff.split('\n').filter((l) => !/^=+$/.test(l)).join('\n').trimEnd());
  }
  return out.join('\n\n');
}
