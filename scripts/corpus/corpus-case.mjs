// Turns one run (project, fault, command, output) into a corpus case: labels it, checks that the
// task and thought do not leak the needles, writes SOURCE.md and calls writeCase.
import { writeCase } from './lib.mjs';

export const CORPUS = 'tools';

/**
 * Words of a needle that would give its answer away: numbers of two digits or more, identifiers
 * with an underscore, a digit or inner capitals, quoted strings, and file paths.
 */
function specificTokens(text) {
  const tokens = new Set();
  for (const m of text.matchAll(/'[^']{3,}'|"[^"]{3,}"/g)) tokens.add(m[0].slice(1, -1));
  for (const m of text.matchAll(/[A-Za-z_$][\w$]*(?:[./][\w$]+)*/g)) {
    const w = m[0];
    if (/_|\d|[a-z][A-Z]|[./]/.test(w) && w.length >= 4) tokens.add(w);
  }
  for (const m of text.matchAll(/\b\d{2,}\b/g)) tokens.add(m[0]);
  return [...tokens];
}

/** Throws when the task or thought contains a needle's specific text. */
export function checkQuestion(id, task, thought, needles) {
  const prose = `${task}\n${thought}`;
  for (const n of needles) {
    for (const token of specificTokens(n.text)) {
      const re = new RegExp(`(^|[^\\w$])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w$])`);
      if (re.test(prose)) throw new Error(`${id}: task/thought leaks ${JSON.stringify(token)} from needle ${JSON.stringify(n.text)}`);
    }
  }
}

/** Every case must have the needle its kind is about: a failing test, a diagnostic, an error. */
const CORE_NEEDLE = {
  'test-run': /failing test|failure header|failing example|failure number|exception message/,
  compile: /diagnostic/,
  traceback: /exception line|exception group line|error line/,
};

/**
 * Writes the case. `c` has id, task, thought, command, output, kind, language, tool, toolVersion,
 * project, scratchDir, fault {name, description}, diff, labeller {label, rule}, expect (optional
 * regexes: each must match at least one needle, to check the labeller found the injected fault).
 */
export function emitCase(c) {
  const needles = c.labeller.label(c.output, { root: c.scratchDir });
  if (needles.length === 0) throw new Error(`${c.id}: the labeller found no needle`);
  for (const re of c.expect ?? []) {
    if (!needles.some((n) => re.test(n.text))) {
      throw new Error(`${c.id}: no needle matches ${re}; needles: ${JSON.stringify(needles.map((n) => n.text), null, 1)}`);
    }
  }
  const core = CORE_NEEDLE[c.kind];
  if (!needles.some((n) => core.test(n.why))) throw new Error(`${c.id}: no ${core} needle among ${JSON.stringify(needles)}`);
  checkQuestion(c.id, c.task, c.thought, needles);
  const source = [
    `# ${c.id}`,
    '',
    `- Project: \`fixtures/corpus-projects/${c.project}\`, copied to \`${c.scratchDir}\` (the command ran there).`,
    `- Fault: **${c.fault.name}**: ${c.fault.description}`,
    `- Command: \`${c.command}\``,
    `- Tool: ${c.tool}, ${c.toolVersion}`,
    `- Exit status: ${c.status}`,
    `- Date: ${c.date ?? new Date().toISOString().slice(0, 10)}`,
    `- Generator: \`node scripts/corpus/${c.generator}\` (stdout and stderr on one pipe, NO_COLOR=1, TERM=dumb, CI=1${c.envNote ? `, ${c.envNote}` : ""})`,
    `- Needles: ${c.labeller.rule}`,
    '',
    c.diff ? '## Fault as a diff\n\n```diff\n' + c.diff.trimEnd() + '\n```' : '## Fault\n\nNone: the project as committed.',
  ].join('\n');
  return writeCase(CORPUS, {
    id: c.id,
    task: c.task,
    thought: c.thought,
    command: c.command,
    output: c.output,
    needles,
    kind: c.kind,
    language: c.language,
    tool: c.tool,
    source,
    extra: { project: c.project, fault: c.fault.name, toolVersion: c.toolVersion, exitStatus: c.status, tokensApprox: Math.round(c.output.length / 4) },
  });
}
