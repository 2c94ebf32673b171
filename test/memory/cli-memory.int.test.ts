import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { writeTinyModel } from '../helpers/tiny-onnx.js';
import { DEFAULT_MINILM_MODEL } from '../../src/memory/embedders/index.js';

// `headroom memory ...` end to end: the built CLI, a real LanceDB database in a temp
// HEADROOM_HOME, the offline embedder, a project directory with a git remote.

const CLI = join(ROOT, 'dist/cli.js');
let home: string;
let project: string;

beforeAll(() => buildDist(), 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-memcli-'));
  project = join(home, 'shop');
  fs.mkdirSync(project);
  spawnSync('git', ['init', '-q', project]);
  spawnSync('git', ['-C', project, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git']);
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, 'memory', ...args], {
    cwd: opts.cwd ?? project,
    env: { ...process.env, HEADROOM_HOME: join(home, 'hr'), HEADROOM_USER: 'ada', HEADROOM_EMBEDDER: 'use-lite', ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
const jsonLines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('headroom memory', () => {
  it('add, repeat from another agent, search and list with provenance, forget', () => {
    const added = run(['add', 'The staging database listens on port 5433']);
    expect(added.code).toBe(0);
    const id = /saved ([0-9a-f]{12}) for github\.com\/acme\/shop/.exec(added.out)![1]!;
    const again = run(['add', '--agent', 'codex', 'the staging database listens on port 5433.']);
    expect(again.out).toContain(`already remembered as ${id} (by user, codex)`);
    expect(run(['add', 'Never edit files under src/gen/ by hand']).code).toBe(0);

    const search = run(['search', 'staging', 'db', 'port', '--json']);
    const [top] = jsonLines(search.out) as { memory: { id: string; agents: string[]; project: string } }[];
    expect(top!.memory).toMatchObject({ id, agents: ['user', 'codex'], project: 'github.com/acme/shop' });
    const human = run(['search', 'staging database port']);
    expect(human.out).toMatch(new RegExp(`^${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  user, codex \\(manual, 1 hit\\)`, 'm'));

    const list = jsonLines(run(['list', '--json']).out);
    expect(list.map((m) => m.text)).toEqual(['The staging database listens on port 5433', 'Never edit files under src/gen/ by hand']);
    expect(jsonLines(run(['list', '--agent', 'codex', '--json']).out)).toHaveLength(1);

    expect(run(['forget', id.slice(0, 6)]).out).toContain(`forgot ${id}`);
    expect(jsonLines(run(['list', '--json']).out)).toHaveLength(1);
    const stats = JSON.parse(run(['stats', '--json']).out) as { total: number; byAgent: Record<string, number>; embedder: string };
    expect(stats).toMatchObject({ total: 1, byAgent: { user: 1 }, embedder: 'use-lite' });
  }, 180_000);

  it('export, then import into another home: ids and provenance kept; a second import adds nothing', () => {
    run(['add', '--agent', 'gemini', 'CI runs on GitHub Actions with Node 20']);
    run(['add', '--agent', 'claude', 'Integration tests need Docker running']);
    const exported = run(['export']);
    expect(exported.code).toBe(0);
    const file = join(home, 'export.jsonl');
    fs.writeFileSync(file, exported.out);
    const other = { HEADROOM_HOME: join(home, 'other') };
    expect(run(['import', file], { env: other }).out).toContain('imported 2, merged 0 into existing memories, 0 already present');
    expect(run(['import', file, '--json'], { env: other }).out.trim()).toBe('{"inserted":0,"present":2,"merged":0}');
    const strip = (l: Record<string, unknown>[]) => l.map(({ embedder: _e, ...rest }) => rest);
    expect(strip(jsonLines(run(['list', '--json'], { env: other }).out))).toEqual(strip(jsonLines(run(['list', '--json']).out)));
    // The same export saved by an editor that starts files with a UTF-8 byte order mark.
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(exported.out)]));
    const third = { HEADROOM_HOME: join(home, 'third') };
    expect(run(['import', file], { env: third })).toMatchObject({ code: 0, out: expect.stringContaining('imported 2, merged 0') });
    expect(strip(jsonLines(run(['list', '--json'], { env: third }).out))).toEqual(strip(jsonLines(run(['list', '--json']).out)));
  }, 180_000);

  it('refuses bad input with one clear line and exit 2, changing nothing', () => {
    expect(run(['add', '   '])).toMatchObject({ code: 2, err: expect.stringContaining('a memory needs some text') });
    const big = run(['add', '-'], { input: 'x'.repeat(1_000_000) });
    expect(big.code).toBe(2);
    expect(big.err).toContain('at most 4,000 characters; this text has 1,000,000');
    expect(run(['add', '-'], { input: Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x6f]) })).toMatchObject({ code: 2, err: expect.stringContaining('not valid UTF-8') });
    const bad = join(home, 'bad.jsonl');
    fs.writeFileSync(bad, '{"id":"abcdef012345","text":"ok","project":"p","user":"ada"}\nnot json\n{"id":"XYZ","text":"t","project":"p","user":"u"}\n');
    const imp = run(['import', bad]);
    expect(imp.code).toBe(2);
    expect(imp.err).toContain('has 2 bad lines; nothing imported');
    expect(imp.err).toContain('line 2: not JSON');
    expect(imp.err).toContain('line 3: "id" must be lowercase hex');
    fs.writeFileSync(bad, Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
    expect(run(['import', bad]).err).toContain('is not valid UTF-8');
    expect(run(['forget', 'abcdef'])).toMatchObject({ code: 2, err: expect.stringContaining('no memory has the id abcdef') });
    expect(run(['search', 'x', '--k', '0'])).toMatchObject({ code: 2 });
    expect(run(['list'], { env: { HEADROOM_EMBEDDER: 'word2vec' } })).toMatchObject({ code: 2, err: expect.stringContaining('HEADROOM_EMBEDDER must be one of auto, use-lite, minilm') });
    expect(jsonLines(run(['list', '--json']).out)).toEqual([]);
  }, 180_000);

  it('a damaged database: exit 1 naming the path; nothing deleted', () => {
    run(['add', 'The cache TTL is 300 seconds']);
    const versions = join(home, 'hr', 'memory', 'memories_use_lite.lance', '_versions');
    for (const f of fs.readdirSync(versions)) fs.writeFileSync(join(versions, f), 'garbage');
    const before = fs.readdirSync(join(home, 'hr', 'memory'), { recursive: true }).sort();
    const r = run(['list']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the memory database at ${join(home, 'hr', 'memory')} cannot be read`);
    expect(fs.readdirSync(join(home, 'hr', 'memory'), { recursive: true }).sort()).toEqual(before);
  }, 180_000);

  it('a change of embedder: the old memories are named until reindex re-embeds them, ids and provenance kept', () => {
    run(['add', '--agent', 'codex', 'the staging database listens on port 5433']);
    run(['add', '--agent', 'claude', 'deploy with make deploy']);
    const before = jsonLines(run(['list', '--json']).out);
    const models = join(home, 'models');
    writeTinyModel(models, DEFAULT_MINILM_MODEL);
    const minilm = { HEADROOM_EMBEDDER: 'minilm', HEADROOM_MODELS_DIR: models };
    const listed = run(['list', '--json'], { env: minilm });
    expect(listed.out).toBe('');
    expect(listed.err).toContain('2 memories were embedded by another embedder (memories_use_lite); run `headroom memory reindex`');
    const r = run(['reindex'], { env: minilm });
    expect(r.out).toContain('re-embedded 2 memories with minilm:Xenova/all-MiniLM-L6-v2 (from memories_use_lite)');
    const after = jsonLines(run(['list', '--json'], { env: minilm }).out);
    expect(after.map(({ embedder: _e, ...m }) => m)).toEqual(before.map(({ embedder: _e, ...m }) => m));
    expect(after.every((m) => m.embedder === 'minilm:Xenova/all-MiniLM-L6-v2')).toBe(true);
    const hits = jsonLines(run(['search', 'staging', 'database', '--json'], { env: minilm }).out) as { memory: { text: string } }[];
    expect(hits[0]!.memory.text).toBe('the staging database listens on port 5433');
    expect(run(['reindex'], { env: minilm }).out).toContain('nothing to reindex');
  }, 180_000);

  it('explains itself in --help', () => {
    const help = run(['--help']).out;
    for (const word of ['add', 'search', 'list', 'forget', 'export', 'import', 'reindex', 'stats', 'HEADROOM_EMBEDDER']) expect(help).toContain(word);
  });
});
