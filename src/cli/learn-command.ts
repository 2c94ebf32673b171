import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Agent } from '../agents/index.js';
import { LEARNABLE_AGENT_NAMES } from '../agents/names.js';
import type { LearnProgress, LearnResult } from '../learn/learn.js';
import { DEFAULT_MIN_SESSIONS, type Rule } from '../learn/types.js';
import type { WritePlan } from '../learn/writer.js';
import { parseSince } from '../stats/since.js';
import { CliError, EXIT } from './exit-codes.js';

/** The modules that do the work (markdown parser, git, readers), loaded when learn runs. */
const lib = async () => ({
  ...(await import('../learn/learn.js')),
  ...(await import('../learn/report.js')),
  ...(await import('../learn/targets.js')),
  ...(await import('../learn/writer.js')),
});

/** `headroom learn`: mine the agents' transcripts for repeated failures and write the lessons into their instruction files. */

interface LearnOptions {
  agent: string;
  project?: string;
  since?: string;
  minSessions: string;
  apply?: boolean;
  target?: string;
  interactive?: boolean;
  llm?: boolean;
  json?: boolean;
  memory?: boolean;
}

/** The agents whose transcripts learn can read. */
const AGENT_CHOICES = [...LEARNABLE_AGENT_NAMES, 'all'];

async function agentsOf(name: string): Promise<Agent[]> {
  const { AGENTS } = await import('../agents/index.js');
  const learnable = AGENTS.filter((a) => (LEARNABLE_AGENT_NAMES as readonly string[]).includes(a.name));
  if (name === 'all') return learnable;
  const agent = learnable.find((a) => a.name === name);
  if (!agent) throw new CliError(`unknown agent "${name}"; choose one of ${AGENT_CHOICES.join(', ')}`);
  return [agent];
}

function minSessionsOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--min-sessions must be a whole number of at least 1, got "${value}"`);
  return n;
}

function sinceOf(spec: string | undefined): number | undefined {
  return spec === undefined ? undefined : parseSince(spec).getTime();
}

async function projectOf(dir: string | undefined): Promise<string> {
  const path = resolve(dir ?? process.cwd());
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new CliError(`--project ${dir}: no such folder`);
  return (await lib()).projectRootOf(path);
}

/** A progress line on stderr while transcripts are read, when stderr is a terminal; redrawn at most every 100 ms. */
function progressLine(enabled: boolean, tildePath: (p: string) => string): { update(p: LearnProgress): void; done(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (!enabled || (now - last < 100 && p.file !== undefined)) return;
      last = now;
      drawn = true;
      const mb = `${(p.bytesDone / 1e6).toFixed(1)}/${(p.bytesTotal / 1e6).toFixed(1)} MB`;
      const width = process.stderr.columns || 80;
      const text = `reading transcripts ${p.filesDone}/${p.filesTotal} (${mb})${p.file ? ` ${tildePath(p.file)}` : ''}`;
      process.stderr.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** Saves new rules as project memories (source `learn`), when the memory is in use or --memory asked for it. */
async function saveMemories(rules: Rule[], projectRoot: string, wanted: boolean | undefined): Promise<string | undefined> {
  const { memoryDir, Memories } = await import('../memory/memory.js');
  if (rules.length === 0 || wanted === false || (wanted === undefined && !existsSync(memoryDir(process.env)))) return undefined;
  const memories = await Memories.open({ cwd: projectRoot });
  try {
    let inserted = 0;
    for (const rule of rules) {
      const r = await memories.save({ text: rule.text, agent: rule.agents[0] ?? 'headroom', session: rule.evidence[0]?.session ?? '', source: 'learn' });
      if (r.status === 'inserted') inserted++;
    }
    return `saved ${inserted} new rule${inserted === 1 ? '' : 's'} to the project memory (${rules.length - inserted} already there)`;
  } finally {
    memories.close();
  }
}

function jsonReport(result: LearnResult, rules: Rule[], plans: WritePlan[], applied: Array<{ path: string; backup?: string }>, memory: string | undefined): unknown {
  return {
    project: result.projectRoot,
    looked: result.looked,
    read: result.read,
    skippedLines: result.counts,
    belowMinSessions: result.belowMinSessions,
    rules,
    changes: plans.map((p) => ({ path: p.path, changed: p.changed, created: p.before === undefined, sectionCreated: p.sectionCreated, added: p.added.map((r) => r.key), updated: p.updated.map((r) => r.key), unchanged: p.unchanged, diff: p.diff })),
    applied,
    ...(memory ? { memory } : {}),
  };
}

async function runLearn(opts: LearnOptions): Promise<void> {
  const agents = await agentsOf(opts.agent);
  const minSessions = minSessionsOf(opts.minSessions);
  const sinceMs = sinceOf(opts.since);
  if (opts.interactive && !(process.stdin.isTTY && process.stdout.isTTY)) throw new CliError('--interactive needs a terminal (stdin and stdout); use --apply to write every rule');
  const projectRoot = await projectOf(opts.project);
  const { learnFromTranscripts, nothingReadMessage, planTargets, applyWrite, learnBackupsDir, formatSources, formatRules, formatPlans, tildePath } = await lib();

  const progress = progressLine(!opts.json && process.stderr.isTTY === true, tildePath);
  const result = await learnFromTranscripts({ agents, projectRoot, env: process.env, minSessions, onProgress: (p) => progress.update(p), ...(sinceMs !== undefined ? { sinceMs } : {}) });
  progress.done();
  if (result.read.files === 0) throw new CliError(nothingReadMessage(result), EXIT.failed);

  let rules = result.rules;
  if (opts.llm && rules.length > 0) {
    const { phraseWithModel } = await import('../learn/llm.js');
    const phrased = await phraseWithModel(rules, { env: process.env, project: projectRoot });
    rules = phrased.rules;
    if (phrased.note && !opts.json) process.stderr.write(`headroom: ${phrased.note}\n`);
  }
  if (opts.interactive && rules.length > 0) {
    const { reviewRules } = await import('../tui/learn-review.js');
    const accepted = await reviewRules(rules);
    if (accepted === undefined) {
      process.stdout.write('Review ended with q: nothing written.\n');
      return;
    }
    rules = accepted;
  }

  const plans = await planTargets(rules, { projectRoot, agents, ...(opts.target !== undefined ? { target: opts.target } : {}) });

  const write = opts.apply || opts.interactive;
  const applied: Array<{ path: string; backup?: string }> = [];
  let memory: string | undefined;
  if (write) {
    for (const plan of plans.filter((p) => p.changed)) {
      applied.push({ path: plan.path, ...(await applyWrite(plan, { backupDir: learnBackupsDir(process.env) })) });
    }
    memory = await saveMemories(plans.flatMap((p) => p.added).filter((r, i, all) => all.findIndex((x) => x.key === r.key) === i), projectRoot, opts.memory);
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(jsonReport(result, rules, plans, applied, memory), null, 2)}\n`);
    return;
  }
  const out: string[] = [`headroom learn: ${tildePath(projectRoot)}`, formatSources(result), ''];
  const oneOffs = result.belowMinSessions > 0 ? `; ${result.belowMinSessions} seen in fewer sessions left out` : '';
  if (result.rules.length === 0) {
    out.push(`No lesson recurs in ${minSessions} or more sessions${oneOffs}. Nothing to write.`);
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  out.push(`${result.rules.length} lesson${result.rules.length === 1 ? '' : 's'} seen in ${minSessions} or more sessions${oneOffs}:`, '', formatRules(rules), '');
  if (opts.interactive && rules.length === 0) out.push('No rule accepted; nothing written.');
  else if (plans.length > 0) out.push(formatPlans(plans, process.cwd()), '');
  if (write) {
    for (const a of applied) out.push(`wrote ${tildePath(a.path)}${a.backup ? ` (the old file: ${tildePath(a.backup)})` : ''}`);
    if (applied.length === 0 && rules.length > 0) out.push('Every file is already up to date.');
    if (memory) out.push(memory);
  } else if (plans.some((p) => p.changed)) {
    out.push('Dry run: nothing written. Run again with --apply to write these changes, or --interactive to choose rules one by one.');
  }
  process.stdout.write(`${out.join('\n').trimEnd()}\n`);
}

export function learnCommand(): Command {
  return new Command('learn')
    .description("Find the failures your coding agents keep repeating in their own session transcripts, and the fixes that worked, and write them as rules into CLAUDE.md / AGENTS.md / GEMINI.md / CONVENTIONS.md (a dry run unless --apply).")
    .addOption(new Option('--agent <name>', 'whose transcripts to read').choices(AGENT_CHOICES).default('all'))
    .option('--project <dir>', "the project whose sessions count (default: the current directory's git work tree)")
    .option('--since <when>', 'only sessions since a span ago (30m, 24h, 7d, 2w) or a date (2026-11-01); default all time')
    .option('--min-sessions <n>', 'a lesson must recur in this many sessions to become a rule', String(DEFAULT_MIN_SESSIONS))
    .addOption(new Option('--apply', 'write the rules (atomically; the old file is kept under HEADROOM_HOME/backups)'))
    .option('--target <file>', 'write every rule into this file instead of each agent’s own instruction file')
    .addOption(new Option('--interactive', 'review each rule in the terminal (accept or reject), then write the accepted ones').conflicts('json'))
    .option('--llm', 'have a model phrase and merge the rules (Anthropic API: HEADROOM_ANTHROPIC_UPSTREAM or ANTHROPIC_BASE_URL, and ANTHROPIC_API_KEY)')
    .option('--json', 'print the lessons, evidence and diffs as one JSON document')
    .option('--memory', 'also save new rules to the project memory (default: when the memory is in use)')
    .option('--no-memory', 'do not save rules to the project memory')
    .addHelpText(
      'after',
      `
Where each agent's transcripts are read (override with the same variables the agents use):
  claude   CLAUDE_CONFIG_DIR/projects or ~/.claude/projects
  codex    CODEX_HOME/sessions or ~/.codex/sessions
  copilot  COPILOT_HOME/session-state or ~/.copilot/session-state
  gemini   ~/.gemini/tmp
  aider    .aider.chat.history.md in the project (AIDER_CHAT_HISTORY_FILE)
  qwen     ~/.qwen/projects/*/chats
  continue CONTINUE_GLOBAL_DIR/sessions or ~/.continue/sessions
  cline    CLINE_DATA_DIR/sessions, CLINE_DIR/data/sessions or ~/.cline/data/sessions
Continue CLI and Cline rewrite each session as one JSON document: a file over 64 MB is skipped
(and counted). opencode and Kilo Code keep their sessions in SQLite databases: learn does not read them.
A session counts for the project when its working directory is inside the project's folder.

Rules go into a managed section between <!-- headroom:learn:start --> and <!-- headroom:learn:end -->;
every byte outside it stays as you wrote it, and running learn again merges instead of duplicating.
Files: CLAUDE.md (Claude Code), AGENTS.md (Codex, Copilot CLI, Continue CLI, Cline), GEMINI.md
(Gemini CLI), CONVENTIONS.md (Aider), QWEN.md (Qwen Code), in the project root.

Examples:
  headroom learn                          (dry run: the lessons, their evidence and the diff)
  headroom learn --apply
  headroom learn --agent codex --since 30d --min-sessions 3
  headroom learn --interactive
  headroom learn --json | jq '.rules[].text'`,
    )
    .exitOverride()
    .action(async (opts: LearnOptions) => {
      await runLearn(opts);
    });
}
