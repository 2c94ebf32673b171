// Shared by the corpus generators: copy a fixture project to a fixed scratch directory, apply a
// named fault, run a real tool there and capture its combined output as an agent's shell gets it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './lib.mjs';

/** Projects are copied here so that paths in outputs are the same on every run. */
export const SCRATCH = '/tmp/headroom-corpus';
export const PROJECTS_DIR = join(ROOT, 'fixtures/corpus-projects');

/** No colour, no TTY niceties, stable hashing: what a non-interactive agent shell sees. */
export const QUIET_ENV = {
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  TERM: 'dumb',
  CI: '1',
  PYTHONHASHSEED: '0',
  PYTHONDONTWRITEBYTECODE: '1',
  LANG: 'C.UTF-8',
};

/**
 * Copies fixtures/corpus-projects/<project> to /tmp/headroom-corpus/<name> (fresh each time).
 * `links` maps a path inside the copy to an existing path it should point to (node_modules).
 */
export function prepareProject(project, name, links = {}) {
  const dir = join(SCRATCH, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  cpSync(join(PROJECTS_DIR, project), dir, { recursive: true });
  for (const [rel, target] of Object.entries(links)) symlinkSync(target, join(dir, rel));
  return dir;
}

/**
 * Applies a fault: `edits` are {file, find, replace} (find must occur exactly once), `write`
 * maps files to new content (a string, or a Buffer for exact bytes). Returns the unified diff of the change, made by diff(1).
 */
export function applyFault(dir, fault) {
  const before = new Map();
  const remember = (file) => {
    if (!before.has(file)) before.set(file, existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : null);
  };
  for (const edit of fault.edits ?? []) {
    remember(edit.file);
    const path = join(dir, edit.file);
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(edit.find);
    if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) {
      throw new Error(`fault ${fault.name}: ${JSON.stringify(edit.find)} must occur once in ${edit.file}`);
    }
    writeFileSync(path, text.slice(0, at) + edit.replace + text.slice(at + edit.find.length));
  }
  for (const [file, content] of Object.entries(fault.write ?? {})) {
    remember(file);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return [...before].map(([file, old]) => unifiedDiff(file, old, readFileSync(join(dir, file), 'utf8'))).join('');
}

function unifiedDiff(file, oldText, newText) {
  const tmp = mkdtempSync(join(tmpdir(), 'corpus-diff-'));
  try {
    writeFileSync(join(tmp, 'a'), oldText ?? '');
    writeFileSync(join(tmp, 'b'), newText);
    const from = oldText === null ? '/dev/null' : `a/${file}`;
    const r = spawnSync('diff', ['-u', '--label', from, '--label', `b/${file}`, join(tmp, 'a'), join(tmp, 'b')], { encoding: 'utf8' });
    return r.stdout;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `command` with bash in `cwd`, stdout and stderr on one pipe (so the output keeps the
 * order in which the process wrote it), and returns {output, status}.
 */
export function runCommand(cwd, command, env = {}, timeoutMs = 300_000) {
  const r = spawnSync('bash', ['-c', `exec 2>&1\n${command}`], {
    cwd,
    env: { ...process.env, ...QUIET_ENV, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.error) throw new Error(`${command}: ${r.error.message}`);
  return { output: r.stdout, status: r.status };
}

/** The first line a version command prints, or null when the tool is missing. */
export function versionOf(command) {
  const r = spawnSync('bash', ['-c', `${command} 2>&1`], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.trim().split('\n')[0];
}

/**
 * Checks every tool ({name, version: command, install: how}) and exits with a clear message
 * naming the missing ones. Returns {name: version line}.
 */
export function requireTools(tools) {
  const found = {};
  const missing = [];
  for (const tool of tools) {
    const v = versionOf(tool.version);
    if (v) found[tool.name] = v;
    else missing.push(tool);
  }
  if (missing.length) {
    console.error('Missing tools for the corpus generator:');
    for (const t of missing) console.error(`  ${t.name}: \`${t.version}\` failed. Install: ${t.install}`);
    process.exit(1);
  }
  return found;
}
