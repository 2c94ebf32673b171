// Generates the JavaScript/TypeScript part of the tool-output corpus (fixtures/corpora/tools/
// javascript-* and typescript-*): jest, vitest, mocha, node:test, tsc, eslint and crashing Node
// scripts, run on the small projects under fixtures/corpus-projects/{javascript,typescript}-*.
// The npm tools live in a scratch prefix, never in headroom's own dependencies.
// Usage: node scripts/corpus/javascript.mjs [id-substring]
import { existsSync } from 'node:fs';
import { generate } from './generate.mjs';
import { LABELLERS } from './labellers.mjs';
import { cartProject } from './javascript-cart.mjs';
import { routerProject } from './javascript-router.mjs';
import { requireTools } from './project-run.mjs';
import { schedulerProject } from './typescript-scheduler.mjs';

const TOOLS_PREFIX = '/tmp/headroom-corpus-tools';
const MODULES = `${TOOLS_PREFIX}/node_modules`;
/** Pinned versions of everything the JS projects run or import. */
const PACKAGES = [
  'jest@30.5.2', 'vitest@4.1.12', 'mocha@12.0.3', 'typescript@5.9.3', 'eslint@10.16.0', '@eslint/js@10.0.1',
  'typescript-eslint@8.74.0', 'globals@17.15.0', 'zod@4.6.7', 'yaml@2.9.1', 'semver@7.8.6', 'ajv@8.20.0',
];
const INSTALL = `npm install --prefix ${TOOLS_PREFIX} --no-audit --no-fund ${PACKAGES.join(' ')}`;
const bin = (name) => `${MODULES}/.bin/${name}`;

const versions = requireTools([
  { name: 'node', version: 'node --version', install: 'Node.js 20 or newer' },
  { name: 'node-test', version: 'node -p "\'node:test (Node.js \' + process.version + \')\'"', install: 'Node.js 20 or newer' },
  { name: 'jest', version: `${bin('jest')} --version`, install: INSTALL },
  { name: 'vitest', version: `${bin('vitest')} --version`, install: INSTALL },
  { name: 'mocha', version: `${bin('mocha')} --version`, install: INSTALL },
  { name: 'tsc', version: `${bin('tsc')} --version`, install: INSTALL },
  { name: 'eslint', version: `${bin('eslint')} --version`, install: INSTALL },
]);
for (const lib of ['zod', 'yaml', 'semver', 'ajv', 'typescript-eslint', '@eslint/js', 'globals']) {
  if (!existsSync(`${MODULES}/${lib}/package.json`)) {
    console.error(`Missing ${lib} in ${MODULES}. Install: ${INSTALL}`);
    process.exit(1);
  }
}
for (const name of Object.keys(versions)) if (/^\d/.test(versions[name])) versions[name] = `${name} ${versions[name]}`;

const KINDS = { jest: 'test-run', vitest: 'test-run', mocha: 'test-run', 'node-test': 'test-run', tsc: 'compile', eslint: 'compile', node: 'traceback' };

const metas = generate([cartProject, schedulerProject, routerProject], {
  generator: 'javascript.mjs',
  prefixes: ['javascript', 'typescript'],
  language: (p) => (p.project.startsWith('typescript-') ? 'typescript' : 'javascript'),
  kindOf: (tool) => KINDS[tool],
  labellerOf: (tool) => LABELLERS[tool],
  versions,
  links: () => ({ node_modules: MODULES }),
  envNote: `node_modules linked to ${MODULES}`,
}, process.argv[2]);
console.log(`${metas.length} JavaScript/TypeScript cases written`);
