import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripBom } from '../utf8-bom.js';

/**
 * A benchmark corpus: a folder of workloads, each `<id>/request.json` (an Anthropic Messages
 * body whose tool results are real tool outputs) with `needles.json` (the lines or facts a
 * model needs from them) and optionally `meta.json` (`kind`, `language`).
 */
export interface Corpus {
  name: string;
  dir: string;
}

export interface Workload {
  id: string;
  corpus: string;
  dir: string;
  raw: string;
  /** Kind of output (meta.json `kind`, else the workload's category from its id). */
  kind: string;
  language: string;
  needles: Needle[];
}

interface Needle {
  text: string;
  /** Index of the tool output (among the request's tool results) the needle is in; any when absent. */
  output?: number;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The corpora shipped with the package: the 13 workloads and every folder of fixtures/corpora. */
export function bundledCorpora(): Corpus[] {
  const out: Corpus[] = [{ name: 'workloads', dir: join(PACKAGE_ROOT, 'fixtures/workloads') }];
  const more = join(PACKAGE_ROOT, 'fixtures/corpora');
  if (existsSync(more)) {
    for (const d of readdirSync(more, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (d.isDirectory()) out.push({ name: d.name, dir: join(more, d.name) });
    }
  }
  return out.filter((c) => listWorkloads(c.dir).length > 0);
}

/**
 * A corpus from a folder given on the command line: `NAME=DIR` or just `DIR` (named after the
 * folder, or its parent when the folder is called `workloads`).
 */
export function corpusFromArg(arg: string): Corpus {
  const eq = arg.indexOf('=');
  const dir = resolve(eq > 0 ? arg.slice(eq + 1) : arg);
  const base = basename(dir);
  const name = eq > 0 ? arg.slice(0, eq) : base === 'workloads' ? basename(resolve(dir, '..')) : base;
  return { name, dir };
}

/** Workload folders of a corpus (a `workloads/` subfolder is looked into), sorted. */
export function listWorkloads(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const inner = join(dir, 'workloads');
  const root = existsSync(inner) && !existsSync(join(dir, 'request.json')) ? inner : dir;
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'request.json')))
    .map((d) => join(root, d.name))
    .sort();
}

/** Category of a workload folder of the bundled corpus: the part after the number, up to a known family name. */
function categoryOf(id: string): string {
  const rest = id.replace(/^[a-z]?\d+-/, '');
  for (const c of ['code-search', 'sre', 'issue-triage', 'codebase', 'test-failure', 'build-error', 'git', 'json-api', 'multiturn']) {
    if (rest.startsWith(c)) return c;
  }
  return rest.split('-')[0] ?? rest;
}

interface NeedleFile {
  needles?: Array<{ text: string; where?: { tool_result_index?: number } }>;
}

interface MetaFile {
  kind?: string;
  language?: string;
}

export function loadWorkload(corpus: string, dir: string): Workload {
  const id = basename(dir);
  // A workload written by an editor may start with a byte order mark.
  const read = (f: string) => (existsSync(join(dir, f)) ? stripBom(readFileSync(join(dir, f), 'utf8')) : undefined);
  const needleFile = JSON.parse(read('needles.json') ?? '{}') as NeedleFile;
  const meta = JSON.parse(read('meta.json') ?? '{}') as MetaFile;
  return {
    id,
    corpus,
    dir,
    raw: read('request.json')!,
    kind: meta.kind ?? categoryOf(id),
    language: meta.language ?? 'any',
    needles: (needleFile.needles ?? []).map((n) => ({
      text: n.text,
      ...(n.where?.tool_result_index !== undefined ? { output: n.where.tool_result_index } : {}),
    })),
  };
}
