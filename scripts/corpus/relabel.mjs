// Re-derives the needles of the Python and JS/TS cases from their stored outputs with the current labellers,
// without running any tool again (for working on a labeller). Rewrites the case through
// writeCase, so the layout stays the one lib.mjs defines.
// Usage: node scripts/corpus/relabel.mjs [id-substring]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPORA_DIR } from './lib.mjs';
import { CORPUS, emitCase } from './corpus-case.mjs';
import { LABELLERS } from './labellers.mjs';

const only = process.argv[2];
const dir = join(CORPORA_DIR, CORPUS);
let done = 0;
for (const id of readdirSync(dir).sort()) {
  if (only && !id.includes(only)) continue;
  if (!/^(python|javascript|typescript)-/.test(id)) continue; // cases of the other generators
  let meta;
  try {
    meta = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8'));
  } catch {
    continue;
  }
  const generator = meta.language === 'python' ? 'python.mjs' : 'javascript.mjs';
  const body = JSON.parse(readFileSync(join(dir, id, 'request.json'), 'utf8'));
  const source = readFileSync(join(dir, id, 'SOURCE.md'), 'utf8');
  const [, scratchDir] = /copied to `([^`]+)`/.exec(source);
  const field = (name) => new RegExp(`^- ${name}: (.*)$`, 'm').exec(source)[1];
  const [, faultName, faultDescription] = /^\*\*(.+?)\*\*: (.*)$/.exec(field('Fault'));
  const diff = /```diff\n([\s\S]*?)\n```/.exec(source)?.[1] ?? '';
  emitCase({
    id,
    task: body.messages[0].content[0].text,
    thought: body.messages[1].content[0].text,
    command: meta.command,
    output: body.messages[2].content[0].content,
    status: meta.exitStatus,
    kind: meta.kind,
    language: meta.language,
    tool: meta.tool,
    toolVersion: meta.toolVersion,
    project: meta.project,
    scratchDir,
    fault: { name: faultName, description: faultDescription },
    diff,
    labeller: LABELLERS[meta.tool],
    generator,
    envNote: /CI=1, (.*)\)`?$/m.exec(field('Generator'))?.[1],
    date: field('Date'),
  });
  done++;
}
console.log(`${done} cases relabelled`);
