// Drives one family's generator (go, rust, java, c-cpp): checks its tools, then for every case
// stages the project, injects the fault, runs the real command, labels the captured output with
// the case's labeller and writes it with writeCase into fixtures/corpora/tools/<id>/.
// `node scripts/corpus/<family>.mjs [--only SUBSTRING] [--dry] [--reuse]`: --dry prints needles and
// writes nothing; --reuse takes a case's output from the last real run of the same project, fault,
// command and environment (kept in /tmp/headroom-corpus-captures) instead of running the tool,
// which makes relabelling instant.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPORA_DIR, writeCase } from './lib.mjs';
import { leakedTokens } from './needle-select.mjs';
import { PROJECTS_DIR, STAGE_ROOT, applyFault, runCombined, runEnv, stageProject, toolVersion } from './stage-fault-run.mjs';

export const CORPUS = 'tools';
const CAPTURES = '/tmp/headroom-corpus-captures';

/**
 * The id the corpus brief asks for: <language>-<kind>-<tool>-<project>-<fault>[-<variant>], with
 * the test-run kind spelled `test` as in the brief's example (`python-test-pytest-ledger-...`).
 */
export function caseId(c) {
  const kind = c.kind === 'test-run' ? 'test' : c.kind;
  return [c.language, kind, c.tool, c.short, c.fault.id, c.variant].filter(Boolean).join('-').toLowerCase();
}

/**
 * tools: [{name, version: 'cmd --version', install: 'how to get it'}]; every case's `toolName`
 * must be one of them. `prepare` runs once before the cases (warming a tool's local cache) and
 * `finish` once after them (removing it). `idPrefixes` are the id prefixes this family owns: on a full run, case
 * folders with those prefixes that the family no longer makes are removed.
 */
export function buildFamily({ script, tools, cases, idPrefixes, prepare, finish, argv = process.argv.slice(2) }) {
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
  const dry = argv.includes('--dry');
  const reuse = argv.includes('--reuse');
  const versions = checkTools(tools);
  // Prepared before the first case that really runs its tool (not before reused captures).
  let prepared = !prepare;
  const ensurePrepared = () => {
    if (!prepared) prepare();
    prepared = true;
  };
  const date = new Date().toISOString().slice(0, 10);
  const ids = new Set();
  const metas = [];
  const failures = [];
  const staged = new Set();
  for (const c of cases) {
    const id = caseId(c);
    if (ids.has(id)) throw new Error(`duplicate case id ${id}`);
    ids.add(id);
    if (only && !id.includes(only)) continue;
    staged.add(c.project);
    try {
      const meta = runCase(c, id, { script, version: versions[c.toolName], date, dry, reuse, ensurePrepared });
      if (meta) metas.push(meta);
    } catch (err) {
      failures.push(err.message);
      console.error(`FAILED ${err.message}`);
    }
  }
  if (!only && !dry && failures.length === 0) removeStale(idPrefixes, ids);
  // Only the projects this run staged: another run may be using the others.
  for (const p of staged) rmSync(join(STAGE_ROOT, p), { recursive: true, force: true });
  if (prepared && prepare) finish?.();
  printSummary(metas);
  if (failures.length) {
    console.error(`${failures.length} case(s) failed`);
    process.exitCode = 1;
  }
  return metas;
}

function checkTools(tools) {
  const versions = {};
  const missing = [];
  for (const t of tools) {
    const v = toolVersion(t.version);
    if (v) versions[t.name] = v;
    else missing.push(`  ${t.name}: not found (\`${t.version}\` failed). Install: ${t.install}`);
  }
  if (missing.length) {
    console.error(`Missing tools:\n${missing.join('\n')}`);
    process.exit(1);
  }
  return versions;
}

function runCase(c, id, { script, version, date, dry, reuse, ensurePrepared }) {
  const dir = stageProject(c.project, c.project);
  const diff = applyFault(dir, c.fault);
  const env = runEnv({ GOCACHE: join(STAGE_ROOT, '.cache-sys', id, 'go-build'), ...(c.env ?? {}) });
  const key = captureKey(c, env, version);
  const capture = join(CAPTURES, `${key}.json`);
  let output, status;
  if (reuse && existsSync(capture) && JSON.parse(readFileSync(capture, 'utf8')).key === key) {
    ({ output, status } = JSON.parse(readFileSync(capture, 'utf8')));
  } else {
    ensurePrepared();
    stageProject(c.project, c.project);
    if (c.prebuild) restorePrebuilt(c, env);
    applyFault(dir, c.fault);
    for (const s of c.setup ?? []) {
      const r = runCombined(s, { cwd: dir, env });
      if (r.status !== 0) throw new Error(`${id}: setup \`${s}\` failed:\n${r.output}`);
    }
    ({ output, status } = runCombined(c.command, { cwd: dir, env }));
    rmSync(join(STAGE_ROOT, '.cache-sys', id), { recursive: true, force: true });
    mkdirSync(CAPTURES, { recursive: true });
    writeFileSync(capture, JSON.stringify({ key, output, status }));
  }
  if (c.expectStatus === 'nonzero' && status === 0) throw new Error(`${id}: expected a failing run, got exit 0:\n${output.slice(-2000)}`);
  const needles = c.labeller.label(output, c.labelOptions ?? {});
  if (c.expect && !needles.some((n) => c.expect.test(n.text))) {
    throw new Error(`${id}: no needle matches ${c.expect}; needles:\n${needles.map((n) => n.text).join('\n')}\n--- output tail:\n${output.slice(-3000)}`);
  }
  const leaks = leakedTokens(needles, [c.task, c.thought]);
  if (leaks.length) throw new Error(`${id}: task/thought give away needle text: ${leaks.join(', ')}`);
  if (dry) {
    console.log(`\n=== ${id} (exit ${status}, ${output.length} chars)`);
    for (const n of needles) console.log(`  [${n.why}] ${n.text}`);
    return null;
  }
  const source = sourceMd({ c, id, diff, status, version, date, script });
  return writeCase(CORPUS, {
    id,
    task: c.task,
    thought: c.thought,
    command: c.command,
    output,
    needles,
    kind: c.kind,
    language: c.language,
    tool: c.tool,
    source,
    extra: { project: c.project, fault: c.fault.id, variant: c.variant ?? null, exitStatus: status, toolVersion: version, labeller: c.labeller.NAME },
  });
}

/**
 * `prebuild` commands build the project before the fault is injected (a developer's earlier
 * build), so the case's own command rebuilds only what the fault touched. The built tree is
 * kept as a tarball (tar keeps mtimes, so make sees the fault's files as the only new ones).
 */
function restorePrebuilt(c, env) {
  const h = createHash('sha256');
  hashProject(h, c.project);
  h.update(JSON.stringify({ prebuild: c.prebuild, env: { ...env, GOCACHE: '' } }));
  const tarball = join(CAPTURES, `prebuilt-${h.digest('hex').slice(0, 24)}.tar`);
  const dir = join(STAGE_ROOT, c.project);
  if (!existsSync(tarball)) {
    for (const s of c.prebuild) {
      const r = runCombined(s, { cwd: dir, env });
      if (r.status !== 0) throw new Error(`prebuild \`${s}\` failed:\n${r.output.slice(-3000)}`);
    }
    mkdirSync(CAPTURES, { recursive: true });
    const r = runCombined(`tar -cf ${tarball} -C ${STAGE_ROOT} ${c.project}`, { cwd: STAGE_ROOT });
    if (r.status !== 0) throw new Error(`tar failed: ${r.output}`);
  } else {
    rmSync(dir, { recursive: true, force: true });
    const r = runCombined(`tar -xf ${tarball} -C ${STAGE_ROOT}`, { cwd: STAGE_ROOT });
    if (r.status !== 0) throw new Error(`untar failed: ${r.output}`);
  }
}

function hashProject(h, project) {
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(join(PROJECTS_DIR, project));
}

/** Identifies a run: the project's files, the fault, the commands, the environment and the tool. */
function captureKey(c, env, version) {
  const h = createHash('sha256');
  hashProject(h, c.project);
  h.update(JSON.stringify({ fault: c.fault, command: c.command, setup: c.setup, prebuild: c.prebuild, env: { ...env, GOCACHE: '' }, version }));
  return h.digest('hex');
}

function sourceMd({ c, id, diff, status, version, date, script }) {
  const envNote = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
  return `# ${id}

Real output of a real tool run, captured verbatim (stdout and stderr through one descriptor, in
the order written). Nothing in the output was edited.

- Project: \`fixtures/corpus-projects/${c.project}\` (written for headroom's corpus), staged at \`${STAGE_ROOT}/${c.project}\`
- Fault \`${c.fault.id}\`: ${c.fault.desc}
- Command, run in \`${STAGE_ROOT}/${c.project}\`: \`${envNote}${c.command}\`${c.prebuild?.length ? `\n- Built before the fault was injected (output not kept): ${c.prebuild.map((s) => `\`${s}\``).join(', ')}` : ''}${c.setup?.length ? `\n- Run first (output not kept): ${c.setup.map((s) => `\`${s}\``).join(', ')}` : ''}
- Exit status: ${status}
- Tool: ${version}
- Environment: NO_COLOR=1 TERM=dumb LANG=C.UTF-8 (and CARGO_TERM_COLOR=never, GOPROXY=off with a fresh GOCACHE per case, read only by cargo and go)
- Generated: ${date} by \`node scripts/corpus/${script}\`

## Fault
\`\`\`diff
${diff.trimEnd()}
\`\`\`

## Needles
Labeller \`scripts/corpus/${c.labeller.NAME}.mjs\`: ${c.labeller.RULE}
At most 8 needles, chosen in tiers (the first failure or exception and the summary first, then
the other failures' headers or diagnostics, then details), each tier picked evenly spread over the
output when it has more lines than places are left.
`;
}

function removeStale(prefixes, ids) {
  const dir = join(CORPORA_DIR, CORPUS);
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (prefixes.some((p) => n.startsWith(p)) && !ids.has(n)) rmSync(join(dir, n), { recursive: true, force: true });
  }
}

function printSummary(metas) {
  const band = (chars) => {
    const t = chars / 4;
    return t < 1000 ? '<1k' : t < 2000 ? '1-2k' : t < 10000 ? '2-10k' : '>10k';
  };
  const tally = (f) => metas.reduce((m, x) => ({ ...m, [f(x)]: (m[f(x)] ?? 0) + 1 }), {});
  console.log(`${metas.length} cases written`);
  console.log('by kind/tool:', JSON.stringify(tally((m) => `${m.language}/${m.kind}/${m.tool}`)));
  console.log('by size (chars/4 tokens):', JSON.stringify(tally((m) => band(m.outputChars))));
}
