import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/build-dist.js';

/**
 * The package as a user gets it: a real `npm pack`, unpacked into the node_modules of a fresh
 * ES module project and a fresh CommonJS project, each entry imported in its own Node process.
 * `npm install` of the tarball would unpack it the same way and then fetch its dependencies (over
 * 1 GB); here each declared dependency is linked from this checkout's node_modules instead, so a
 * dependency missing from package.json still fails the import.
 */

interface Probe {
  exports: string[];
  files: string[];
  native: string[];
  /** countTokens of PROBE_COUNT, when the probe was given one. */
  counted?: number;
}

const pkg = JSON.parse(fs.readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; exports: Record<string, unknown> };
const NAME = pkg.name;
const HAS_MIDDLEWARE = fs.existsSync(join(ROOT, 'src/middleware/index.ts'));

/** Packages a user of `/compress` must not pay for (gpt-tokenizer: not until something is counted). */
const NOT_FOR_COMPRESS = ['gpt-tokenizer', '@lancedb/', 'apache-arrow', 'undici', 'simple-git', 'tree-sitter', '@huggingface/', 'onnxruntime', 'piscina', 'ink', 'react', 'chokidar', 'node-pty', '@modelcontextprotocol/'];

let tmp: string;
let tarball: string;
const projects: Record<'esm' | 'cjs', string> = { esm: '', cjs: '' };

function project(kind: 'esm' | 'cjs'): string {
  const dir = join(tmp, kind);
  const installed = join(dir, 'node_modules', NAME);
  fs.mkdirSync(installed, { recursive: true });
  fs.writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `probe-${kind}`, private: true, type: kind === 'esm' ? 'module' : 'commonjs' }));
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = join(dir, 'node_modules', dep);
    fs.mkdirSync(join(link, '..'), { recursive: true });
    fs.symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
  }
  return dir;
}

function probe(kind: 'esm' | 'cjs', entry: string, codeFile?: string, count?: string): Probe {
  const dir = projects[kind];
  const env = { ...process.env, HEADROOM_HOME: join(tmp, 'home'), ...(count === undefined ? {} : { PROBE_COUNT: count }) };
  const out =
    kind === 'esm'
      ? execFileSync(process.execPath, [join(dir, 'probe.mjs'), entry, join(tmp, `log-${Math.random()}`), ...(codeFile ? [codeFile] : [])], { cwd: dir, env, encoding: 'utf8' })
      : // Node 20 before 20.19 cannot require() an ES module: the CommonJS build must not need it.
        execFileSync(process.execPath, ['--no-experimental-require-module', join(dir, 'probe.cjs'), entry], { cwd: dir, env, encoding: 'utf8' });
  return JSON.parse(out) as Probe;
}

/** Names of the packages among loaded files (`@scope/name` or `name`). */
function packagesOf(files: string[]): string[] {
  const names = new Set<string>();
  for (const f of files) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m && m[1] !== NAME) names.add(m[1]!);
  }
  return [...names].sort();
}

beforeAll(() => {
  tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-pack-'));
  // dist/ is built by the test setup; the CommonJS build is made from it.
  execFileSync(process.execPath, ['scripts/build-cjs.mjs'], { cwd: ROOT, stdio: 'pipe' });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' })) as Array<{ filename: string }>;
  tarball = join(tmp, packed[0]!.filename);
  projects.esm = project('esm');
  projects.cjs = project('cjs');
  // The probes run from inside each project, so the package resolves as that project's dependency.
  fs.copyFileSync(join(ROOT, 'test/package/probe-esm.mjs'), join(projects.esm, 'probe.mjs'));
  fs.copyFileSync(join(ROOT, 'test/package/probe-cjs.cjs'), join(projects.cjs, 'probe.cjs'));
}, 180_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const ENTRIES: Array<[string, string[]]> = [
  ['', ['compressText', 'compressRequest', 'startProxy', 'Memories']],
  ['/compress', ['compressText', 'compressCore', 'compressRequest', 'detectKind', 'countTokens', 'FileCcrStore']],
  ['/proxy', ['startProxy', 'compressRequest']],
  ['/memory', ['Memories', 'memoryHooks', 'loadEmbedder']],
];

describe('the packed package', () => {
  it('ships no source maps, no tests, and a LICENSE', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(list).toContain('package/LICENSE');
    expect(list.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(list.filter((f) => /\.test\.|^package\/(src|test)\//.test(f))).toEqual([]);
  });

  for (const [sub, names] of ENTRIES) {
    it(`${NAME}${sub} loads by import and by require, with the same exports`, () => {
      const esm = probe('esm', `${NAME}${sub}`);
      const cjs = probe('cjs', `${NAME}${sub}`);
      for (const n of names) expect(esm.exports).toContain(n);
      expect(cjs.exports).toEqual(esm.exports);
      // Each form loads its own build of the installed copy only.
      const fromCheckout = (f: string) => f.startsWith(`file://${ROOT}/`) && !f.startsWith(`file://${ROOT}/node_modules/`);
      const ours = (p: Probe) => p.files.filter((f) => f.includes(`/${NAME}/`) || fromCheckout(f));
      expect(ours(esm).length).toBeGreaterThan(0);
      expect(ours(esm).filter((f) => !f.startsWith(`file://${projects.esm}/node_modules/${NAME}/dist/`))).toEqual([]);
      expect(ours(cjs).filter((f) => !f.startsWith(`file://${projects.cjs}/node_modules/${NAME}/dist-cjs/`))).toEqual([]);
    });
  }

  it.skipIf(!HAS_MIDDLEWARE)(`${NAME}/middleware loads by import and by require`, () => {
    const esm = probe('esm', `${NAME}/middleware`);
    const cjs = probe('cjs', `${NAME}/middleware`);
    expect(esm.exports.length).toBeGreaterThan(0);
    expect(cjs.exports).toEqual(esm.exports);
  });

  it.skipIf(!HAS_MIDDLEWARE)(`${NAME}/middleware loads neither zod nor the compressor until they are used, in either form`, () => {
    for (const kind of ['esm', 'cjs'] as const) {
      const loaded = probe(kind, `${NAME}/middleware`);
      const heavy = packagesOf(loaded.files).filter((p) => ['zod', ...NOT_FOR_COMPRESS].some((h) => p.startsWith(h)));
      const compressor = loaded.files.filter((f) => f.endsWith('/compress/compress-text.js'));
      expect({ kind, heavy, compressor, native: loaded.native }).toEqual({ kind, heavy: [], compressor: [], native: [] });
    }
  });

  it(`${NAME}/compress loads no database, network, git or native code, in either form`, () => {
    for (const kind of ['esm', 'cjs'] as const) {
      const loaded = probe(kind, `${NAME}/compress`);
      const heavy = packagesOf(loaded.files).filter((p) => NOT_FOR_COMPRESS.some((h) => p.startsWith(h)));
      expect({ kind, heavy, native: loaded.native }).toEqual({ kind, heavy: [], native: [] });
    }
  });

  it(`${NAME}/compress loads the tokenizer once something is counted, with the same count in either form`, () => {
    for (const kind of ['esm', 'cjs'] as const) {
      const loaded = probe(kind, `${NAME}/compress`, undefined, 'FAIL src/cart.test.ts > applies the discount');
      expect({ kind, tokenizer: packagesOf(loaded.files).includes('gpt-tokenizer'), counted: loaded.counted }).toEqual({ kind, tokenizer: true, counted: 9 });
    }
  });

  it(`${NAME}/compress loads tree-sitter once source code is compressed`, () => {
    const loaded = probe('esm', `${NAME}/compress`, join(ROOT, 'src/compress/compress-text.ts'));
    expect(loaded.native.some((s) => s.includes('tree-sitter'))).toBe(true);
  });

  it('TypeScript finds the right declarations for import and for require', () => {
    const source = [
      `import { compressText } from '${NAME}/compress';`,
      `import { startProxy } from '${NAME}/proxy';`,
      `import { Memories } from '${NAME}/memory';`,
      `import * as all from '${NAME}';`,
      `// @ts-expect-error: only the listed entries are public`,
      `import { compressCore } from '${NAME}/dist/compress/compress-text.js';`,
      'const tokens: number = compressText("x").tokensBefore;',
      'export const used = [tokens, startProxy, Memories, all.compressText, compressCore];',
    ].join('\n');
    for (const kind of ['esm', 'cjs'] as const) {
      const dir = projects[kind];
      fs.mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
      if (!fs.existsSync(join(dir, 'node_modules/@types/node'))) fs.symlinkSync(join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
      fs.writeFileSync(join(dir, 'check.ts'), source);
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'check.ts'];
      let out = '';
      try {
        execFileSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        out = String((err as { stdout?: string }).stdout ?? err);
      }
      expect({ kind, out }).toEqual({ kind, out: '' });
    }
  }, 240_000);

  it('the root entry still loads everything (the subpaths are what saves)', () => {
    const loaded = probe('esm', NAME);
    expect(packagesOf(loaded.files)).toContain('@lancedb/lancedb');
  });
});
