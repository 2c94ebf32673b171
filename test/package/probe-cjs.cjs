// Requires one entry of the installed package in a fresh Node process and prints, as JSON, its
// export names and what the require loaded: files in require.cache and native objects.
const entry = process.argv[2];
const mod = require(entry);
// With PROBE_COUNT set, count its tokens after the require.
const counted = process.env.PROBE_COUNT === undefined ? undefined : mod.countTokens(process.env.PROBE_COUNT);
const files = Object.keys(require.cache).map((f) => `file://${f}`);
const native = process.report.getReport().sharedObjects.filter((s) => s.endsWith('.node'));
console.log(JSON.stringify({ exports: Object.keys(mod).sort(), files, native, counted }));
