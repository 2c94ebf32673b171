import { isUtf8 } from 'node:buffer';
import { count } from '../plural.js';
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import type { Memories, SearchHit } from '../memory/memory.js';
import type { ExportedMemory } from '../memory/transfer.js';
import { MEMORY_SOURCES, SCOPES, type Memory, type MemorySource, type Scope } from '../memory/types.js';
import { CliError } from './exit-codes.js';
import { readInputBytes } from './read-input.js';
import { stripBom } from '../utf8-bom.js';

/** `headroom memory ...`: the shared project memory from the command line. */

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
/** One JSON document per line; nothing at all for none. */
const jsonLines = (items: unknown[]) => {
  for (const x of items) process.stdout.write(`${JSON.stringify(x)}\n`);
};
const note = (s: string) => process.stderr.write(`headroom: ${s}\n`);

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** One memory with its provenance, for people. */
function describe(m: Memory, extra = ''): string {
  const who = m.agents.join(', ');
  const replaced = m.supersedes ? ` · replaces ${m.supersedes}` : '';
  return `${m.id}  ${day(m.createdAt)}  ${who} (${m.source}${m.hits > 0 ? `, ${m.hits} hit${m.hits === 1 ? '' : 's'}` : ''}${replaced})${extra}\n    ${m.text.replace(/\n/g, '\n    ')}`;
}

/** The memory modules (LanceDB, embedders), loaded when a memory command runs. */
const lib = async () => ({ ...(await import('../memory/memory.js')), ...(await import('../memory/store.js')), ...(await import('../memory/transfer.js')) });

async function open(): Promise<Memories> {
  const { Memories } = await lib();
  const memories = await Memories.open();
  const others = await memories.store.otherTables();
  if (others.length > 0) {
    const n = others.reduce((s, t) => s + t.rows, 0);
    note(`${count(n, 'memory', 'memories')} ${n === 1 ? 'was' : 'were'} embedded by another embedder (${others.map((t) => t.name).join(', ')}); run \`headroom memory reindex\` to bring them into ${memories.embedderId}`);
  }
  return memories;
}

async function withMemories<T>(fn: (m: Memories) => Promise<T>): Promise<T> {
  const memories = await open();
  try {
    return await fn(memories);
  } finally {
    memories.close();
  }
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError(`${name} must be a whole number from 1 to 1000, got "${v}"`);
    return n;
  };
}

const scopeOption = () => new Option('--scope <scope>', 'project (default): this project; user: all your projects; global: everything in this database').choices(SCOPES);
const sourceOption = () => new Option('--source <source>', 'only memories from this source').choices(MEMORY_SOURCES);

/** Text from arguments, or stdin when the only argument is "-"; non-UTF-8 bytes are refused. */
async function textOf(words: string[]): Promise<string> {
  if (words.length === 1 && words[0] === '-') {
    const bytes = await readInputBytes('-');
    if (!isUtf8(bytes)) throw new CliError('the text on stdin is not valid UTF-8');
    return bytes.toString('utf8');
  }
  return words.join(' ');
}

function progressBar(label: string): (done: number, total?: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (done, total) => {
    const width = 30;
    const frac = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
    process.stderr.write(`\r\x1b[K${label} ${bar}${done}${total ? `/${total}` : ''}`);
  };
}

export function memoryCommand(): Command {
  const memory = new Command('memory').description('The shared project memory every wrapped agent reads and writes (LanceDB under HEADROOM_HOME/memory).');
  memory.addHelpText(
    'after',
    `
Memories belong to a project (the git remote, else the repository root, else the directory)
and to your OS user. Each one records which agents stated it, in which session, and when.
The embedder is HEADROOM_EMBEDDER: auto (default), use-lite (offline, in the npm package) or
minilm (Xenova/all-MiniLM-L6-v2 via transformers.js; HEADROOM_MODELS_DIR for a local copy).

Examples:
  headroom memory add "The staging database listens on port 5433"
  headroom memory search "staging database port"
  headroom memory list --agent codex --json
  headroom memory export > memories.jsonl && headroom memory import memories.jsonl`,
  );

  memory
    .command('add')
    .description('Save a memory for this project (deduplicated: a repeat adds you to its provenance).')
    .argument('<text...>', 'the fact to remember ("-" reads it from stdin)')
    .option('--agent <name>', 'who states it', 'user')
    .option('--replaces <id>', 'the id of a memory this one corrects (the old one is hidden, not deleted)')
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], opts: { agent: string; replaces?: string; json?: boolean }) => {
      const text = await textOf(words);
      await withMemories(async (m) => {
        const r = await m.save({ text, agent: opts.agent, source: 'manual', ...(opts.replaces ? { replaces: opts.replaces } : {}) });
        if (opts.json) return out(JSON.stringify({ ...r, project: m.project }));
        if (r.status === 'merged') out(`already remembered as ${r.memory.id} (by ${r.memory.agents.join(', ')})`);
        else out(`saved ${r.memory.id} for ${m.project}${r.superseded ? ` (replaces ${r.superseded.id})` : ''}`);
      });
    });

  memory
    .command('search')
    .description('Search memories by meaning and by words (hybrid ranking).')
    .argument('<query...>', 'what to look for')
    .option('-k, --k <n>', 'how many results', positiveInt('--k'), 5)
    .option('--agent <name>', 'only memories this agent stated')
    .addOption(sourceOption())
    .addOption(scopeOption())
    .option('--json', 'print JSON lines')
    .action(async (words: string[], opts: { k: number; agent?: string; source?: MemorySource; scope?: Scope; json?: boolean }) => {
      await withMemories(async (m) => {
        const hits = await m.search(words.join(' '), { k: opts.k, ...(opts.scope ? { scope: opts.scope } : {}), ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.source ? { source: opts.source } : {}) });
        if (opts.json) return jsonLines(hits);
        if (hits.length === 0) return out('no memory matches');
        out(hits.map((h: SearchHit) => describe(h.memory, `  similarity ${(h.similarity ?? 0).toFixed(2)}${h.textMatch ? ', words match' : ''}`)).join('\n'));
      });
    });

  memory
    .command('list')
    .description('List memories, oldest first, with their provenance.')
    .option('--agent <name>', 'only memories this agent stated')
    .addOption(sourceOption())
    .addOption(scopeOption())
    .option('--all', 'include memories that a newer one replaced')
    .option('--json', 'print JSON lines')
    .action(async (opts: { agent?: string; source?: MemorySource; scope?: Scope; all?: boolean; json?: boolean }) => {
      await withMemories(async (m) => {
        const list = await m.list({ ...(opts.scope ? { scope: opts.scope } : {}), ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.source ? { source: opts.source } : {}), includeSuperseded: opts.all === true });
        if (opts.json) return jsonLines(list);
        if (list.length === 0) return out(`no memories for ${opts.scope === 'global' ? 'anyone' : opts.scope === 'user' ? m.user : m.project}`);
        out(list.map((x) => describe(x)).join('\n'));
      });
    });

  memory
    .command('forget')
    .description('Delete a memory (by id or a unique id prefix).')
    .argument('<id>', 'the memory id, as list and search show it')
    .action(async (id: string) => {
      await withMemories(async (m) => {
        const gone = await m.forget(id);
        out(`forgot ${gone.id}: ${gone.text.split('\n')[0]}`);
      });
    });

  memory
    .command('export')
    .description('Write memories as JSON lines to stdout (no vectors: an import embeds them again).')
    .addOption(scopeOption().default('user'))
    .action(async (opts: { scope: Scope }) => {
      await withMemories(async (m) => {
        const filter = m.filter(opts.scope);
        let n = 0;
        for await (const x of (await lib()).exportMemories(m)) {
          if ((filter.project !== undefined && x.project !== filter.project) || (filter.user !== undefined && x.user !== filter.user)) continue;
          process.stdout.write(`${JSON.stringify(x)}\n`);
          n++;
        }
        note(`exported ${count(n, 'memory', 'memories')}`);
      });
    });

  memory
    .command('import')
    .description('Read memories exported by `headroom memory export` (a file, or - for stdin).')
    .argument('<file>', 'JSON lines file')
    .option('--json', 'print the counts as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const bytes = await readInputBytes(file);
      if (!isUtf8(bytes)) throw new CliError(`${file === '-' ? 'stdin' : file} is not valid UTF-8 text`);
      const { parseExported } = await lib();
      const records: ExportedMemory[] = [];
      const bad: string[] = [];
      stripBom(bytes.toString('utf8'))
        .split('\n')
        .forEach((line, i) => {
          if (line.trim() === '') return;
          try {
            records.push(parseExported(line));
          } catch (err) {
            bad.push(`line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
      if (bad.length > 0) {
        throw new CliError(`${file} has ${bad.length} bad line${bad.length === 1 ? '' : 's'}; nothing imported:\n  ${bad.slice(0, 10).join('\n  ')}`);
      }
      await withMemories(async (m) => {
        const bar = progressBar('importing');
        const counts = await (await lib()).importMemories(m, records, (done) => bar(done, records.length));
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        if (opts.json) return out(JSON.stringify(counts));
        out(`imported ${counts.inserted}, merged ${counts.merged} into existing memories, ${counts.present} already present`);
      });
    });

  memory
    .command('reindex')
    .description('Re-embed memories saved under another embedder with the current one (HEADROOM_EMBEDDER).')
    .action(async () => {
      await withMemories(async (m) => {
        const bar = progressBar(`re-embedding with ${m.embedderId}`);
        const r = await (await lib()).reindex(m, bar);
        if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
        out(r.moved === 0 ? `nothing to reindex: every memory is embedded by ${m.embedderId}` : `re-embedded ${count(r.moved, 'memory', 'memories')} with ${m.embedderId} (from ${r.tables.join(', ')})`);
      });
    });

  memory
    .command('stats')
    .description('Counts by project, agent and source; the embedder; the size on disk.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withMemories(async (m) => {
        const all = await m.list({ scope: 'user', includeSuperseded: true });
        const tally = (key: (x: Memory) => string[]) => {
          const t: Record<string, number> = {};
          for (const x of all) for (const k of key(x)) t[k] = (t[k] ?? 0) + 1;
          return Object.fromEntries(Object.entries(t).sort((a, b) => b[1] - a[1]));
        };
        const stats = {
          embedder: m.embedderId,
          project: m.project,
          user: m.user,
          total: all.length,
          thisProject: all.filter((x) => x.project === m.project).length,
          superseded: all.length - (await m.list({ scope: 'user' })).length,
          byProject: tally((x) => [x.project]),
          byAgent: tally((x) => x.agents),
          bySource: tally((x) => [x.source]),
          recalls: all.reduce((s, x) => s + x.hits, 0),
          needReindex: await m.store.otherTables(),
          diskBytes: dirSize(m.store.dir),
          path: m.store.dir,
        };
        if (opts.json) return out(JSON.stringify(stats));
        const lines = [
          `${count(stats.total, 'memory', 'memories')} of ${stats.user} (${stats.thisProject} in ${stats.project}; ${stats.superseded} replaced by newer ones)`,
          `embedder ${stats.embedder}; ${(stats.diskBytes / 1e6).toFixed(1)} MB at ${stats.path}`,
          `by agent:   ${Object.entries(stats.byAgent).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`,
          `by source:  ${Object.entries(stats.bySource).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`,
          `by project: ${Object.entries(stats.byProject).slice(0, 10).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`,
        ];
        out(lines.join('\n'));
      });
    });
  return memory;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(`${e.parentPath}/${e.name}`).size;
  }
  return total;
}
