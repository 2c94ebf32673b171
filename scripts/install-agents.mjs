#!/usr/bin/env node
// Installs the real agent CLIs the end-to-end tests drive (pinned in test/agent-versions.json)
// into a cache folder, not into headroom's own dependencies. Re-running is a no-op when the
// pinned versions are already there. Folder: HEADROOM_AGENTS_DIR, default .cache/agents.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.env.HEADROOM_AGENTS_DIR ?? join(root, '.cache/agents'));
const pinned = JSON.parse(readFileSync(join(root, 'test/agent-versions.json'), 'utf8'));

function installedVersion(name) {
  const pkg = join(dir, 'node_modules', name, 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined;
}

const missing = Object.entries(pinned).filter(([name, version]) => installedVersion(name) !== version);
if (missing.length === 0) {
  console.log(`agent CLIs: all ${Object.keys(pinned).length} pinned versions present in ${dir}`);
  process.exit(0);
}
mkdirSync(dir, { recursive: true });
if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
const specs = Object.entries(pinned).map(([name, version]) => `${name}@${version}`);
console.log(`agent CLIs: installing ${missing.map(([n, v]) => `${n}@${v}`).join(', ')} into ${dir}`);
const started = Date.now();
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd: dir, stdio: 'inherit' });
console.log(`agent CLIs: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
