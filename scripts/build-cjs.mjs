// The CommonJS build: rolldown turns tsc's ESM output (dist/) into CommonJS modules, file for
// file, in dist-cjs/. That folder sits next to dist/ so paths a module resolves from its own URL
// (../data, ../templates) still land in the package root. Declarations are copied alongside, so a
// `require` user gets types that TypeScript reads as CommonJS. Node 20 before 20.19 cannot
// `require()` an ES module, hence a real CommonJS build rather than a wrapper.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const esm = join(root, 'dist');
const out = join(root, 'dist-cjs');

/** The library's entry points (package.json `exports`), and the worker the proxy starts by path. */
const entries = ['index', 'library/compress', 'library/proxy', 'memory/index', 'middleware/index', 'proxy/compress-worker']
  .filter((e) => existsSync(join(esm, `${e}.js`)));

rmSync(out, { recursive: true, force: true });
await build({
  input: Object.fromEntries(entries.map((e) => [e, join(esm, `${e}.js`)])),
  // Packages stay packages: only headroom's own files are converted.
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'cjs',
    preserveModules: true,
    preserveModulesRoot: esm,
    entryFileNames: '[name].js',
    exports: 'named',
  },
});
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');

function copyDeclarations(dir) {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, d.name);
    if (d.isDirectory()) copyDeclarations(path);
    else if (d.name.endsWith('.d.ts')) {
      const target = join(out, relative(esm, path));
      mkdirSync(join(target, '..'), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyDeclarations(esm);
