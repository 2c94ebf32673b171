// The loop both corpus generators share: for every fault of every project and every run of that
// fault, copy the project, apply the fault, run the command, label the output and write the case.
import { CORPUS, emitCase } from './corpus-case.mjs';
import { CORPORA_DIR } from './lib.mjs';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { applyFault, prepareProject, runCommand, SCRATCH } from './project-run.mjs';

/** `kindOf` maps a tool to test-run/compile/traceback; ids use `test` for test-run. */
const ID_KIND = { 'test-run': 'test', compile: 'compile', traceback: 'traceback' };

/**
 * Generates every case of `projects`. `family` = {generator, prefixes (case-id languages it owns), language(project), kindOf(tool),
 * labellerOf(tool), versions: {tool: version line}, links(project): symlinks, env}.
 * `only` (a substring of ids) limits the run while developing. A case that fails (the fault
 * did not show, a needle is not a line, the task leaks a needle) is reported and skipped, and the
 * process exits non-zero. Returns the metas written.
 */
export function generate(projects, family, only) {
  const metas = [];
  const failures = [];
  for (const p of projects) {
    for (const fault of p.faults) {
      for (const run of fault.runs) {
        const kind = family.kindOf(run.tool);
        const language = run.language ?? family.language(p);
        const id = [language, ID_KIND[kind], run.tool, p.name, fault.name, run.variant].filter(Boolean).join('-');
        if (only && !id.includes(only)) continue;
        try {
          const dir = prepareProject(p.project, p.name, family.links?.(p) ?? {});
          const diff = applyFault(dir, fault);
          const { output, status } = runCommand(dir, run.cmd, family.env ?? {});
          if (status === 0) throw new Error(`${id}: \`${run.cmd}\` passed; the fault did not show:\n${output.slice(-2000)}`);
          const meta = emitCase({
            id,
            task: run.task ?? fault.task,
            thought: run.thought,
            command: run.cmd,
            output,
            status,
            kind,
            language,
            tool: run.tool,
            toolVersion: family.versions[run.tool],
            project: p.project,
            scratchDir: dir,
            fault: { name: fault.name, description: fault.description },
            diff,
            labeller: family.labellerOf(run.tool),
            expect: run.expect,
            generator: family.generator,
            envNote: family.envNote,
          });
          metas.push(meta);
          console.log(`${id}: ${meta.outputChars} chars, ${meta.needles} needles`);
        } catch (error) {
          failures.push(id);
          console.error(`${id}: FAILED: ${error.message}`);
        }
      }
    }
  }
  for (const p of projects) rmSync(join(SCRATCH, p.name), { recursive: true, force: true });
  if (!only) pruneStale(family.prefixes, new Set(metas.map((m) => m.id).concat(failures)));
  if (failures.length) {
    console.error(`${failures.length} case(s) failed: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
  return metas;
}

/** After a full run, cases of this family that no table produces any more are removed. */
function pruneStale(prefixes, keep) {
  const dir = join(CORPORA_DIR, CORPUS);
  if (!existsSync(dir)) return;
  for (const id of readdirSync(dir)) {
    if (prefixes.some((p) => id.startsWith(`${p}-`)) && !keep.has(id)) {
      rmSync(join(dir, id), { recursive: true, force: true });
      console.log(`${id}: removed (no longer generated)`);
    }
  }
}
