import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headroomHome } from '../config.js';
import { splitBom, stripBom } from '../utf8-bom.js';
import { McpInstallError } from '../errors.js';

export { McpInstallError };

/**
 * `headroom mcp install|uninstall <agent>`: registers `headroom mcp serve` in the agent's own
 * user-level MCP configuration. The file is backed up first and every step recorded, so an
 * uninstall puts back the exact bytes (or removes a file install created).
 */

export const MCP_AGENTS = ['claude', 'codex', 'gemini'] as const;
export type McpAgent = (typeof MCP_AGENTS)[number];
export const isMcpAgent = (s: string): s is McpAgent => (MCP_AGENTS as readonly string[]).includes(s);

const SERVER_NAME = 'headroom';


export interface InstallOptions {
  env?: NodeJS.ProcessEnv;
  /** The command the agent runs; default this Node and headroom's dist/cli.js. */
  command?: string;
  args?: string[];
}

/** What install did, kept in HEADROOM_HOME/backups/ for uninstall. */
interface InstallRecord {
  agent: McpAgent;
  file: string;
  /** True when the file did not exist before install. */
  created: boolean;
  /** Copy of the file as it was before install. */
  backup?: string;
  /** sha256 of the file right after install: tells whether the agent changed it since. */
  installedSha256: string;
  /** The text appended (TOML), to remove it alone when the file changed since. */
  appended?: string;
  time: string;
}

const userHome = (env: NodeJS.ProcessEnv) => (env.HOME && env.HOME !== '' ? env.HOME : homedir());

/** The user-level file each agent reads its MCP servers from. */
export function mcpConfigPath(agent: McpAgent, env: NodeJS.ProcessEnv = process.env): string {
  if (agent === 'claude') return join(env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR !== '' ? env.CLAUDE_CONFIG_DIR : userHome(env), '.claude.json');
  if (agent === 'codex') return join(env.CODEX_HOME && env.CODEX_HOME !== '' ? env.CODEX_HOME : join(userHome(env), '.codex'), 'config.toml');
  return join(userHome(env), '.gemini', 'settings.json');
}

/** The built CLI next to this module (dist/cli.js). */
export function defaultServeCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [resolve(dirname(fileURLToPath(import.meta.url)), '../cli.js'), 'mcp', 'serve'] };
}

const backupsDir = (env: NodeJS.ProcessEnv) => join(headroomHome(env), 'backups');
const recordPath = (agent: McpAgent, env: NodeJS.ProcessEnv) => join(backupsDir(env), `mcp-${agent}.json`);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new McpInstallError(`cannot read ${file}: ${(err as Error).message}`, file);
  }
}

/** Replaces a file by rename, keeping its permissions (new files get 0600). */
function writeAtomic(file: string, data: string | Buffer, mode: number): void {
  fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.headroom-${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function parseJsonObject(file: string, bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(stripBom(bytes.toString('utf8')));
  } catch (err) {
    throw new McpInstallError(`${file} is not valid JSON (${(err as Error).message}); fix it or move it aside, headroom will not overwrite it`, file);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new McpInstallError(`${file} does not hold a JSON object; headroom will not overwrite it`, file);
  return value as Record<string, unknown>;
}

/** The indentation the file already uses (two spaces when it has none). */
function indentOf(text: string): string | number {
  const m = /\n([ \t]+)\S/.exec(text);
  return m?.[1] ?? 2;
}

function serversOf(file: string, obj: Record<string, unknown>): Record<string, unknown> {
  const s = obj.mcpServers;
  if (s === undefined) return {};
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new McpInstallError(`${file}: "mcpServers" is not an object; headroom will not overwrite it`, file);
  return s as Record<string, unknown>;
}

const TOML_TABLE_RE = /^[ \t]*\[[ \t]*mcp_servers[ \t]*\.[ \t]*("headroom"|'headroom'|headroom)[ \t]*\]/m;

function withServer(agent: McpAgent, file: string, before: Buffer | undefined, command: string, args: string[]): { text: string; appended?: string } {
  if (agent === 'codex') {
    const old = before?.toString('utf8') ?? '';
    const toml = stripBom(old);
    if (TOML_TABLE_RE.test(toml) || /^[ \t]*mcp_servers[ \t]*\.[ \t]*headroom\b/m.test(toml)) throw new McpInstallError(`${file} already defines mcp_servers.headroom; remove it first`, file);
    // TOML basic strings take JSON's escapes, so JSON.stringify quotes safely.
    const appended = `${old === '' || old.endsWith('\n') ? '' : '\n'}${old === '' ? '' : '\n'}# added by headroom mcp install (undo: headroom mcp uninstall codex)\n[mcp_servers.${SERVER_NAME}]\ncommand = ${JSON.stringify(command)}\nargs = [${args.map((a) => JSON.stringify(a)).join(', ')}]\n`;
    return { text: old + appended, appended };
  }
  const { bom, body: text } = splitBom(before?.toString('utf8') ?? '');
  const obj = before === undefined || text.trim() === '' ? {} : parseJsonObject(file, before);
  const servers = serversOf(file, obj);
  if (SERVER_NAME in servers) throw new McpInstallError(`${file} already has an MCP server named "${SERVER_NAME}"; remove it first`, file);
  const entry = agent === 'claude' ? { type: 'stdio', command, args } : { command, args };
  obj.mcpServers = { ...servers, [SERVER_NAME]: entry };
  return { text: bom + JSON.stringify(obj, null, indentOf(text)) + (text === '' || text.endsWith('\n') ? '\n' : '') };
}

export interface InstallResult {
  file: string;
  created: boolean;
  backup?: string;
}

export function installMcp(agent: McpAgent, opts: InstallOptions = {}): InstallResult {
  const env = opts.env ?? process.env;
  const file = mcpConfigPath(agent, env);
  const record = recordPath(agent, env);
  if (fs.existsSync(record)) throw new McpInstallError(`headroom is already installed for ${agent} (${file}); run \`headroom mcp uninstall ${agent}\` first`, file);
  const { command, args } = opts.command ? { command: opts.command, args: opts.args ?? [] } : defaultServeCommand();
  const before = readIfExists(file);
  const next = withServer(agent, file, before, command, args);
  fs.mkdirSync(backupsDir(env), { recursive: true, mode: 0o700 });
  let backup: string | undefined;
  if (before !== undefined) {
    backup = join(backupsDir(env), `mcp-${agent}-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`);
    fs.writeFileSync(backup, before, { mode: 0o600 });
  }
  const mode = before !== undefined ? fs.statSync(file).mode & 0o777 : 0o600;
  const after = Buffer.from(next.text, 'utf8');
  const rec: InstallRecord = { agent, file, created: before === undefined, ...(backup ? { backup } : {}), installedSha256: sha256(after), ...(next.appended ? { appended: next.appended } : {}), time: new Date().toISOString() };
  // The record goes first: an interrupted install can still be undone.
  fs.writeFileSync(record, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  writeAtomic(file, after, mode);
  return { file, created: rec.created, ...(backup ? { backup } : {}) };
}

export interface UninstallResult {
  file: string;
  /** restored: the exact bytes from before install; deleted: install had created it; removed-entry: the file changed since, so only headroom's entry was taken out. */
  action: 'restored' | 'deleted' | 'removed-entry';
}

export function uninstallMcp(agent: McpAgent, opts: { env?: NodeJS.ProcessEnv } = {}): UninstallResult {
  const env = opts.env ?? process.env;
  const recFile = recordPath(agent, env);
  const raw = readIfExists(recFile);
  if (raw === undefined) throw new McpInstallError(`headroom is not installed for ${agent} (no record in ${backupsDir(env)})`);
  const rec = JSON.parse(raw.toString('utf8')) as InstallRecord;
  const now = readIfExists(rec.file);
  let action: UninstallResult['action'];
  if (now === undefined || sha256(now) === rec.installedSha256) {
    if (rec.created) {
      fs.rmSync(rec.file, { force: true });
      action = 'deleted';
    } else {
      const original = fs.readFileSync(rec.backup as string);
      writeAtomic(rec.file, original, now !== undefined ? fs.statSync(rec.file).mode & 0o777 : 0o600);
      action = 'restored';
    }
  } else {
    // The agent or the user changed the file since: keep their changes, take out headroom's entry.
    writeAtomic(rec.file, withoutServer(agent, rec, now), fs.statSync(rec.file).mode & 0o777);
    action = 'removed-entry';
  }
  fs.rmSync(recFile);
  return { file: rec.file, action };
}

function withoutServer(agent: McpAgent, rec: InstallRecord, now: Buffer): string {
  const { bom, body: text } = splitBom(now.toString('utf8'));
  if (agent === 'codex') {
    if (rec.appended && text.includes(rec.appended)) return bom + text.replace(rec.appended, '');
    throw new McpInstallError(`${rec.file} changed since install and headroom's [mcp_servers.headroom] block is no longer as written; remove it by hand (the original is in ${rec.backup ?? 'no backup: install created the file'})`, rec.file);
  }
  const obj = parseJsonObject(rec.file, now);
  const servers = serversOf(rec.file, obj);
  delete servers[SERVER_NAME];
  // Drop the now-empty "mcpServers" only if install had added it.
  const hadServers = rec.backup !== undefined && 'mcpServers' in parseJsonObject(rec.file, fs.readFileSync(rec.backup));
  if (Object.keys(servers).length === 0 && !hadServers) delete obj.mcpServers;
  return bom + JSON.stringify(obj, null, indentOf(text)) + (text.endsWith('\n') ? '\n' : '');
}
