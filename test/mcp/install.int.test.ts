import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';

// `headroom mcp install|uninstall` through the built CLI, in a temp HOME: each agent's file
// gains the server, and uninstall gives back the exact bytes (or removes what install created).

const CLI = join(ROOT, 'dist/cli.js');
let home: string;

beforeAll(() => buildDist(), 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-mcpinst-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'mcp', ...args], { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, HEADROOM_HOME: join(home, 'hr'), ...env } });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
const serve = { command: process.execPath, args: [CLI, 'mcp', 'serve'] };
const backups = () => fs.readdirSync(join(home, 'hr', 'backups'));

describe('headroom mcp install / uninstall', () => {
  it('claude: adds a stdio server to ~/.claude.json, refuses a second install, restores the exact bytes', async () => {
    const file = join(home, '.claude.json');
    // Odd but valid formatting, to prove uninstall does not re-serialise.
    const original = '{\n    "numStartups": 3,\n    "mcpServers": {"other": {"type": "stdio", "command": "other-mcp", "args": []}},\n    "projects": {}\n}';
    fs.writeFileSync(file, original, { mode: 0o644 });

    const r = run(['install', 'claude']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(file);
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { numStartups: number; mcpServers: Record<string, unknown> };
    expect(config.numStartups).toBe(3);
    expect(config.mcpServers.other).toEqual({ type: 'stdio', command: 'other-mcp', args: [] });
    expect(config.mcpServers.headroom).toEqual({ type: 'stdio', ...serve });
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    const backup = backups().find((f) => f.endsWith('.bak'))!;
    expect(fs.readFileSync(join(home, 'hr', 'backups', backup), 'utf8')).toBe(original);
    expect(fs.statSync(join(home, 'hr', 'backups', backup)).mode & 0o777).toBe(0o600);

    // The registered command really serves MCP.
    const entry = config.mcpServers.headroom as { command: string; args: string[] };
    const client = new Client({ name: 'claude-code', version: '1' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, HEADROOM_HOME: join(home, 'hr') }, stderr: 'pipe' }));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('headroom_retrieve');
    await client.close();

    const again = run(['install', 'claude']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already installed');

    const u = run(['uninstall', 'claude']);
    expect(u.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    expect(run(['uninstall', 'claude']).err).toContain('not installed');
  }, 30_000);

  it('claude: honours CLAUDE_CONFIG_DIR, and uninstall deletes a file install created', () => {
    const dir = join(home, 'claude-cfg');
    const r = run(['install', 'claude'], { CLAUDE_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    const file = join(dir, '.claude.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ mcpServers: { headroom: { type: 'stdio', ...serve } } });
    expect(fs.existsSync(join(home, '.claude.json'))).toBe(false);
    expect(run(['uninstall', 'claude'], { CLAUDE_CONFIG_DIR: dir }).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('claude: when the agent changed the file since install, uninstall keeps its changes and drops only headroom', () => {
    const file = join(home, '.claude.json');
    fs.writeFileSync(file, '{\n  "numStartups": 1\n}\n');
    expect(run(['install', 'claude']).code).toBe(0);
    const changed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    changed.numStartups = 2;
    fs.writeFileSync(file, JSON.stringify(changed, null, 2) + '\n');
    const u = run(['uninstall', 'claude']);
    expect(u.code).toBe(0);
    expect(u.out).toContain('changed since install');
    expect(fs.readFileSync(file, 'utf8')).toBe('{\n  "numStartups": 2\n}\n');
  });

  it('codex: appends [mcp_servers.headroom] to $CODEX_HOME/config.toml as text, uninstall restores the bytes', () => {
    const codexHome = join(home, 'codex');
    fs.mkdirSync(codexHome);
    const file = join(codexHome, 'config.toml');
    const original = 'model = "o4-mini"  # my choice\n\n[mcp_servers.docs]\ncommand = "docs-mcp"\nargs = [ ]\n';
    fs.writeFileSync(file, original);
    const r = run(['install', 'codex'], { CODEX_HOME: codexHome });
    expect(r.code).toBe(0);
    const after = fs.readFileSync(file, 'utf8');
    expect(after.startsWith(original)).toBe(true);
    const added = after.slice(original.length);
    expect(added).toContain('[mcp_servers.headroom]\n');
    expect(added).toContain(`command = ${JSON.stringify(process.execPath)}\n`);
    expect(added).toContain(`args = [${JSON.stringify(CLI)}, "mcp", "serve"]\n`);
    expect(run(['install', 'codex'], { CODEX_HOME: codexHome }).code).toBe(1);
    expect(run(['uninstall', 'codex'], { CODEX_HOME: codexHome }).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });

  it('a config that starts with a UTF-8 byte order mark is read, keeps its mark, and is given back byte for byte', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const file = join(home, '.claude.json');
    const original = Buffer.concat([bom, Buffer.from('{\n  "numStartups": 1\n}\n')]);
    fs.writeFileSync(file, original);
    expect(run(['install', 'claude'])).toMatchObject({ code: 0, err: '' });
    const after = fs.readFileSync(file);
    expect(after.subarray(0, 3)).toEqual(bom);
    expect(JSON.parse(after.subarray(3).toString('utf8'))).toEqual({ numStartups: 1, mcpServers: { headroom: { type: 'stdio', ...serve } } });
    // Changed since install: only headroom's entry goes, the mark stays.
    fs.writeFileSync(file, Buffer.concat([bom, Buffer.from(JSON.stringify({ numStartups: 2, mcpServers: { headroom: {} } }, null, 2) + '\n')]));
    expect(run(['uninstall', 'claude']).code).toBe(0);
    expect(fs.readFileSync(file)).toEqual(Buffer.concat([bom, Buffer.from('{\n  "numStartups": 2\n}\n')]));

    const toml = join(home, '.codex', 'config.toml');
    fs.mkdirSync(join(home, '.codex'));
    fs.writeFileSync(toml, Buffer.concat([bom, Buffer.from('[mcp_servers.headroom]\ncommand = "headroom"\n')]));
    expect(run(['install', 'codex']).err).toContain('already defines mcp_servers.headroom');
  });

  it('codex: refuses a config that already defines the server', () => {
    const file = join(home, '.codex', 'config.toml');
    fs.mkdirSync(join(home, '.codex'));
    fs.writeFileSync(file, '[mcp_servers.headroom]\ncommand = "headroom"\n');
    const r = run(['install', 'codex']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('already defines mcp_servers.headroom');
    expect(fs.readFileSync(file, 'utf8')).toBe('[mcp_servers.headroom]\ncommand = "headroom"\n');
  });

  it('gemini: creates ~/.gemini/settings.json with the server, uninstall removes it', () => {
    const file = join(home, '.gemini', 'settings.json');
    expect(run(['install', 'gemini']).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ mcpServers: { headroom: serve } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(run(['uninstall', 'gemini']).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('gemini: a malformed settings.json is refused and left as it was', () => {
    const file = join(home, '.gemini', 'settings.json');
    fs.mkdirSync(join(home, '.gemini'));
    fs.writeFileSync(file, '{"theme": "dark",');
    const r = run(['install', 'gemini']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not valid JSON');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"theme": "dark",');
    // Nothing recorded: a later install after fixing the file is not refused as a repeat.
    fs.writeFileSync(file, '{"theme": "dark"}');
    expect(run(['install', 'gemini']).code).toBe(0);
  });

  it('rejects an unknown agent', () => {
    const r = run(['install', 'vim']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown agent "vim"');
  });
});
