// Shared writer for the tool-output corpora under fixtures/corpora/<corpus>/<id>/.
// A case is one agent step: the task, the agent's thought, the shell command it ran and the
// real output of that command, with needles labelled from the output's structure.
// Layout (the same as the shared benchmark workloads, so `headroom bench` reads both):
//   request.json  an Anthropic Messages body: the task, then the assistant's thought and a
//                 `bash` tool_use with the command, then the tool_result holding the output
//   question.txt  the task and the thought
//   needles.json  {needles: [{text, why}], answer: ""}: exact trimmed lines of the output
//   meta.json     {id, kind, language, tool, command, outputChars, needles, ...}
//   SOURCE.md     what was run, where and how, and how the needles were chosen
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPORA_DIR = join(ROOT, 'fixtures/corpora');

const SYSTEM =
  'You are a coding agent working in a repository. You can run shell commands with the bash tool. ' +
  'Investigate, fix the problem, and verify the fix.';

const BASH_TOOL = {
  name: 'bash',
  description: 'Run one shell command in the repository and return its combined stdout and stderr.',
  input_schema: {
    type: 'object',
    properties: { command: { type: 'string', description: 'The command to run' } },
    required: ['command'],
  },
};

/** A stable tool_use id derived from the case id, so rebuilding gives the same bytes. */
function toolUseId(id) {
  return `toolu_${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
}

/**
 * Writes one case. `needles` are [{text, why}] where text must be an exact line of `output`
 * (compared trimmed); a needle that is not is an error (the labeller is wrong, not the output).
 */
export function writeCase(corpus, c) {
  const { id, task, thought, command, output, needles, kind, language, tool, source, extra } = c;
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(id)) throw new Error(`bad case id ${id}`);
  if (!output || typeof output !== 'string') throw new Error(`${id}: empty output`);
  const lines = new Set(output.split('\n').map((l) => l.trim()));
  const seen = new Set();
  const kept = [];
  for (const n of needles) {
    const text = n.text.trim();
    if (!text) continue;
    if (!lines.has(text)) throw new Error(`${id}: needle is not a line of the output: ${JSON.stringify(text)}`);
    if (seen.has(text)) continue;
    seen.add(text);
    kept.push({ text, why: n.why });
  }
  if (kept.length === 0) throw new Error(`${id}: no needles`);
  const dir = join(CORPORA_DIR, corpus, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const useId = toolUseId(id);
  const body = {
    model: 'claude-sonnet-4-5',
    max_tokens: 4096,
    system: SYSTEM,
    tools: [BASH_TOOL],
    messages: [
      { role: 'user', content: [{ type: 'text', text: task }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: thought },
          { type: 'tool_use', id: useId, name: 'bash', input: { command } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: useId, content: output }] },
    ],
  };
  writeFileSync(join(dir, 'request.json'), JSON.stringify(body, null, 1) + '\n');
  writeFileSync(join(dir, 'question.txt'), `${task}\n\n${thought}\n`);
  writeFileSync(join(dir, 'needles.json'), JSON.stringify({ needles: kept, answer: '' }, null, 2) + '\n');
  const meta = { id, kind, language, tool, command, outputChars: output.length, outputLines: output.split('\n').length, needles: kept.length, ...(extra ?? {}) };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  writeFileSync(join(dir, 'SOURCE.md'), source.trim() + '\n');
  return meta;
}

/** Rewrites fixtures/corpora/<corpus>/index.json from the meta.json files present. */
export function writeIndex(corpus, readme) {
  const dir = join(CORPORA_DIR, corpus);
  const cases = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'meta.json')))
    .map((d) => JSON.parse(readFileSync(join(dir, d.name, 'meta.json'), 'utf8')))
    .sort((a, b) => a.id.localeCompare(b.id));
  const count = (key) => cases.reduce((m, c) => ({ ...m, [c[key]]: (m[c[key]] ?? 0) + 1 }), {});
  const summary = { cases: cases.length, needles: cases.reduce((a, c) => a + c.needles, 0), byKind: count('kind'), byLanguage: count('language'), byTool: count('tool') };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ summary, cases }, null, 2) + '\n');
  if (readme) writeFileSync(join(dir, 'README.md'), readme.trim() + '\n');
  return summary;
}
