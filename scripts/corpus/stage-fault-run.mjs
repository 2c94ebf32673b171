// Stages a corpus project in a fixed directory, injects one named fault and runs a real tool there,
// capturing stdout and stderr through ONE file descriptor so the two streams interleave in the
// order the tool wrote them (what an agent's shell tool shows). Used by the go, rust, java and
// c-cpp corpus generators.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, renameSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './lib.mjs';

export const PROJECTS_DIR = join(ROOT, 'fixtures/corpus-projects');
/** Projects run here, so the paths printed in outputs are the same on every machine. */
export const STAGE_ROOT = '/tmp/headroom-corpus';

/** Environment for every run: no colour, a dumb terminal, a fixed locale and stable tool caches. */
export function runEnv(extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CARGO_TERM_COLOR: 'never',
    GOCACHE: join(STAGE_ROOT, '.cache/go-build'),
    GOPATH: join(STAGE_ROOT, '.cache/gopath'),
    GOPROXY: 'off',
    ...extra,
  };
}

/** Copies fixtures/corpus-projects/<project> to /tmp/headroom-corpus/<name> (fresh each time). */
export function stageProject(project, name) {
  const src = join(PROJECTS_DIR, project);
  if (!existsSync(src)) throw new Error(`no corpus project ${src}`);
  const dest = join(STAGE_ROOT, name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(STAGE_ROOT, { recursive: true });
  cpSync(src, dest, { recursive: true });
  return dest;
}

/**
 * Applies a fault: each edit replaces text that must occur exactly once in its file, writes a
 * new file (`create`) or renames one (`renameTo`). Returns the unified diff of the fault, for SOURCE.md.
 */
export function applyFault(dir, fault) {
  const diffs = [];
  for (const e of fault.edits ?? []) {
    const path = join(dir, e.file);
    if (e.renameTo) {
      renameSync(path, join(dir, e.renameTo));
      diffs.push(`rename ${e.file} -> ${e.renameTo}\n`);
      continue;
    }
    const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
    let after;
    if (e.create !== undefined) after = e.create;
    else {
      const count = before.split(e.from).length - 1;
      if (count !== 1) throw new Error(`fault ${fault.id}: ${JSON.stringify(e.from)} occurs ${count} times in ${e.file}`);
      after = before.replace(e.from, () => e.to);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, after);
    // A generated input too long to read as a diff is described instead.
    if (after.length > 4000 && e.create !== undefined) diffs.push(`(new file ${e.file}: ${after.length} characters, written by the generator; see its fault)\n`);
    else diffs.push(unifiedDiff(e.file, before, after, e.create !== undefined && before === ''));
  }
  return diffs.join('');
}

function unifiedDiff(file, before, after, created) {
  const tmp = mkdtempSync(join(tmpdir(), 'corpus-diff-'));
  try {
    writeFileSync(join(tmp, 'a'), before);
    writeFileSync(join(tmp, 'b'), after);
    const r = spawnSync('diff', ['-u', '--label', created ? '/dev/null' : `a/${file}`, '--label', `b/${file}`, 'a', 'b'], { cwd: tmp, encoding: 'utf8' });
    return r.stdout;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `command` with bash in `cwd`; stdout and stderr share one file, so the capture keeps
 * the order the tool wrote them. Returns {output, status}.
 */
export function runCombined(command, { cwd, env = runEnv(), timeoutMs = 1_200_000 } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'corpus-out-'));
  const file = join(tmp, 'out');
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync('bash', ['-c', command], { cwd, env, stdio: ['ignore', fd, fd], timeout: timeoutMs });
    if (r.error) throw new Error(`\`${command}\` in ${cwd}: ${r.error.message}`);
    return { output: readFileSync(file, 'utf8'), status: r.status, signal: r.signal };
  } finally {
    closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The first line a tool prints for its version flag, or null when it is not installed. */
export function toolVersion(command) {
  const r = spawnSync('bash', ['-c', `${command} 2>&1`], { encoding: 'utf8', env: runEnv() });
  if (r.status !== 0) return null;
  return r.stdout.split('\n').find((l) => l.trim())?.trim() ?? null;
}
