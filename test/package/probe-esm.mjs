// Imports one entry of the installed package in a fresh Node process and prints, as JSON, its
// export names and what the import loaded: packages (through a resolve hook, and require.cache
// for what the package loads with `require`) and native objects.
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const [entry, log] = process.argv.slice(2);
const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
appendFileSync(log, '');
const mod = await import(entry);
// With a third argument, compress that file as source code after the import.
const codeFile = process.argv[4];
if (codeFile) mod.compressText(readFileSync(codeFile, 'utf8'), { kind: 'code' });
// With PROBE_COUNT set, count its tokens after the import.
const counted = process.env.PROBE_COUNT === undefined ? undefined : mod.countTokens(process.env.PROBE_COUNT);
const required = Object.keys(createRequire(import.meta.url).cache).map((f) => `file://${f}`);
const files = [...readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file:')), ...required];
const native = process.report.getReport().sharedObjects.filter((s) => s.endsWith('.node'));
console.log(JSON.stringify({ exports: Object.keys(mod).sort(), files, native, counted }));
