import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../src/compress/ccr-store.js';
import { compressText } from '../src/compress/compress-text.js';
import { keysInText } from '../src/compress/marker.js';
import { buildDist, ROOT } from './helpers/build-dist.js';
import { CONTENT_KINDS } from '../src/compress/types.js';

const CLI = join(ROOT, 'dist/cli.js');
const W = join(ROOT, 'fixtures/workloads');
const SMALL = ['p01-code-search-fastify-onsend', 'p08-git-history-fastify-log'];

let home: string;
let toolOutput: string;
let toolFile: string;
beforeAll(() => {
  buildDist();
  const body = JSON.parse(fs.readFileSync(join(W, SMALL[0]!, 'request.json'), 'utf8')) as { messages: Array<{ content: unknown }> };
  toolOutput = (body.messages[2]!.content as Array<{ content: string }>)[0]!.content;
}, 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cli-'));
  toolFile = join(home, 'tool-output.txt');
  fs.writeFileSync(toolFile, toolOutput);
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, HEADROOM_HOME: home },
    ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout.toString('utf8'), outBytes: r.stdout.length, err: r.stderr.toString('utf8') };
}
const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
const compressJson = () => JSON.parse(run(['compress', toolFile, '--json']).out) as { retrievalKeys: string[] };

describe('headroom compress', () => {
  it('compresses a real tool output FILE and names retrieval keys', () => {
    const r = run(['compress', toolFile]);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeLessThan(toolOutput.length);
    expect(keysInText(r.out).length).toBeGreaterThan(0);
    expect(r.out).toContain('./lib/hooks.js:278:function onSendHookRunner');
  });

  it('reads standard input for - and gives the same result as FILE', () => {
    const r = run(['compress', '-'], toolOutput);
    expect(r.code).toBe(0);
    expect(r.out).toBe(run(['compress', toolFile]).out);
  });

  it('--json prints exactly {kind, tokensBefore, tokensAfter, retrievalKeys, ms}', () => {
    const r = run(['compress', toolFile, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(['kind', 'ms', 'retrievalKeys', 'tokensAfter', 'tokensBefore']);
    expect(CONTENT_KINDS).toContain(j.kind);
    expect(j.tokensAfter).toBeLessThan(j.tokensBefore as number);
    expect(typeof j.ms).toBe('number');
    expect((j.retrievalKeys as string[]).every((k) => /^[0-9a-f]{16}$/.test(k))).toBe(true);
  });

  it('--kind nope exits 2 naming the valid kinds', () => {
    const r = run(['compress', toolFile, '--kind', 'nope']);
    expect(r.code).toBe(2);
    for (const k of CONTENT_KINDS) expect(r.err).toContain(k);
  });

  it('--command gives the step that produced the output, --keep moves along the size policy', () => {
    const log = join(W, 'p02-sre-postgres-deadlock-crash');
    const text = ((JSON.parse(fs.readFileSync(join(log, 'request.json'), 'utf8')) as { messages: Array<{ content: unknown }> }).messages
      .flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string; content?: string }>) : []))
      .find((p) => p.type === 'tool_result')!.content)!;
    const file = join(home, 'postgres.log');
    fs.writeFileSync(file, text);
    const command = 'grep -n checkpoint /var/log/postgresql/postgresql-16-main.log';
    const withStep = run(['compress', file, '--command', command]);
    expect(withStep.code).toBe(0);
    expect(withStep.out).toBe(withNewline(compressText(text, { step: { tool: 'shell', input: { command } }, store: new FileCcrStore(join(home, 'ccr')) }).text));
    expect(withStep.out).not.toBe(run(['compress', file]).out);
    const after = (keep: string) => (JSON.parse(run(['compress', file, '--json', '--keep', keep]).out) as { tokensAfter: number }).tokensAfter;
    expect(after('0.5')).toBeLessThan(after('1'));
    expect(after('1')).toBeLessThan(after('2'));
    const bad = run(['compress', file, '--keep', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--keep must be a number above 0');
  });

  it('a missing file exits 2 with "no such file"', () => {
    const r = run(['compress', join(home, 'does-not-exist.txt')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no such file');
  });

  it('--request prints a valid, smaller JSON body', () => {
    const file = join(W, SMALL[0]!, 'request.json');
    const raw = fs.readFileSync(file, 'utf8');
    const r = run(['compress', '--request', file]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { messages: unknown[]; system: unknown };
    const inp = JSON.parse(raw) as { messages: unknown[]; system: unknown };
    expect(r.out.length).toBeLessThan(raw.length);
    expect(out.messages).toHaveLength(inp.messages.length);
    expect(out.system).toEqual(inp.system);
  });

  it('a store write that fails (a file size limit, as a full disk) prints the input as it is, says why, leaves no temp file', () => {
    // The kernel refuses every byte headroom writes to a file (open() works, write() fails with EFBIG).
    const r = spawnSync('sh', ['-c', 'ulimit -f 0 && exec "$0" "$@"', process.execPath, CLI, 'compress', toolFile], { env: { ...process.env, HEADROOM_HOME: join(home, 'hr') }, maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    expect(r.stdout.toString('utf8')).toBe(withNewline(toolOutput));
    expect(r.stderr.toString('utf8')).toMatch(/^headroom: the original could not be stored for retrieval \(cannot store an original in .*EFBIG/);
    const files = (fs.readdirSync(join(home, 'hr'), { recursive: true }) as string[]).filter((f) => fs.statSync(join(home, 'hr', f)).isFile());
    expect(files).toEqual([]);
  });

  it.each([
    ['NUL bytes', Buffer.from('abc\u0000def\n'.repeat(1000))],
    ['an empty file', Buffer.alloc(0)],
    ['NUL bytes without a trailing newline', Buffer.from('\u0000x'.repeat(3000))],
  ])('does not crash on %s and never prints more than it was given', (_name, bytes) => {
    const file = join(home, 'input.bin');
    fs.writeFileSync(file, bytes);
    const r = run(['compress', file]);
    expect(r.code).toBe(0);
    expect(r.outBytes).toBeLessThanOrEqual(bytes.length + 1); // + the newline the CLI ends its output with
    expect(run(['compress', file, '--json']).code).toBe(0);
  });

  // Input left as it is must come back as its own bytes, not re-encoded from U+FFFD.
  it('passes random binary input through byte for byte', () => {
    const bytes = Buffer.concat([randomBytes(5000), Buffer.from([0])]);
    const file = join(home, 'random.bin');
    fs.writeFileSync(file, bytes);
    const r = run(['compress', file]);
    expect(r.code).toBe(0);
    expect(r.outBytes).toBe(bytes.length);
  });
});

describe('headroom retrieve', () => {
  it('prints the original exactly', () => {
    const [key] = compressJson().retrievalKeys;
    const r = run(['retrieve', key!]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(withNewline(toolOutput));
  });

  it('--query prints fewer lines, including every matching one', () => {
    const [key] = compressJson().retrievalKeys;
    const r = run(['retrieve', key!, '--query', 'onSendHookRunner']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(toolOutput.split('\n').length);
    const matching = toolOutput.split('\n').filter((l) => l.includes('onSendHookRunner'));
    expect(matching.length).toBeGreaterThan(0);
    for (const l of matching) expect(lines).toContain(l);
  });

  it.each([
    ['an unknown key', '0123456789abcdef', 1],
    ['a malformed key', 'not-a-key', 2],
    ['an uppercase key', '0123456789ABCDEF', 2],
  ])('%s (%s) exits %d', (_name, key, code) => {
    const r = run(['retrieve', key]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(/^headroom: /);
  });
});

describe('headroom bench', () => {
  const copyWorkloads = (ids: string[]) => {
    const dir = join(home, 'workloads');
    for (const id of ids) fs.cpSync(join(W, id), join(dir, id), { recursive: true });
    return dir;
  };

  it('--json on two small workloads exits 0 with per-workload results', () => {
    const r = run(['bench', '--workloads', copyWorkloads(SMALL), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { summary: { workloads: number; lost: number }; results: Array<{ id: string; lost: number; tokensAfter: number; tokensBefore: number }> };
    expect(j.summary).toMatchObject({ workloads: 2, lost: 0 });
    expect(j.results.map((x) => x.id)).toEqual(SMALL);
    for (const x of j.results) expect(x.tokensAfter).toBeLessThan(x.tokensBefore);
  });

  it('reads workload files saved with a UTF-8 byte order mark', () => {
    const dir = copyWorkloads([SMALL[0]!]);
    for (const name of ['request.json', 'needles.json']) {
      const file = join(dir, SMALL[0]!, name);
      fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(file)]));
    }
    const r = run(['bench', '--workloads', dir, '--json']);
    expect(r.err).not.toMatch(/Unexpected token/);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { summary: { workloads: number; lost: number } }).summary).toMatchObject({ workloads: 1, lost: 0 });
  });

  it('exits 1 and reports a needle that is not in the request as lost', () => {
    const dir = copyWorkloads([SMALL[0]!]);
    const needle = 'this string is nowhere in the request 7f3c';
    fs.writeFileSync(join(dir, SMALL[0]!, 'needles.json'), JSON.stringify({ needles: [{ text: needle }] }));
    const j = run(['bench', '--workloads', dir, '--json']);
    expect(j.code).toBe(1);
    expect((JSON.parse(j.out) as { results: Array<{ lost: number; lostNeedles: string[] }> }).results[0]).toMatchObject({ lost: 1, lostNeedles: [needle] });
    const t = run(['bench', '--workloads', dir]);
    expect(t.code).toBe(1);
    expect(t.out).toContain(`LOST in ${SMALL[0]}`);
  });
});

it.each(['compress', 'retrieve', 'bench'])('%s --help shows an example', (cmd) => {
  const r = run([cmd, '--help']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/Example/);
  expect(r.out).toContain(`headroom ${cmd}`);
});
