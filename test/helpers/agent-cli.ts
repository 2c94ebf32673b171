import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as os from 'node:os';
import { join } from 'node:path';
import { agentBin } from './agent-bin.js';
import type { Script } from './fake-upstream.js';

/**
 * Runs the real agent CLIs from node_modules non-interactively against a loopback API (the fake
 * upstream, or a headroom proxy in front of it). Each run gets its own home directory, so the
 * CLIs never read or write the real ~/.claude, ~/.codex or the user's settings, and an
 * environment built from scratch, so no real API key, base URL or proxy setting leaks in.
 * HTTP(S)_PROXY points at a loopback catcher that refuses every connection and records its
 * target, so nothing leaves the machine and a test can see what the CLI tried to reach.
 */
export interface AgentRunOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:PORT (no /v1). */
  baseUrl: string;
  prompt: string;
  /** Working directory; default a fresh temp dir, removed after the run. */
  cwd?: string;
  /** Sandbox home; default a fresh temp dir, removed after the run. Pass one to read transcripts. */
  home?: string;
  /** Kill the CLI (and its process group) after this long; default 60 s. */
  timeoutMs?: number;
  /** How often the CLI retries a failed request; default 0, so failures show at once. */
  maxRetries?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Extra command-line arguments, placed before the prompt. */
  args?: string[];
}

export interface ClaudeRunOptions extends AgentRunOptions {
  /** Keep Claude Code's optional traffic (HEAD probe, title request, api.anthropic.com calls). */
  nonessentialTraffic?: boolean;
}

export interface CodexRunOptions extends AgentRunOptions {
  /** Default gpt-fake (Codex warns that it has no metadata for it, harmlessly). */
  model?: string;
  /** Default danger-full-access: Codex's bubblewrap sandbox needs user namespaces, often blocked in CI. */
  sandbox?: 'read-only' | 'workspace-write' | 'danger-full-access';
  /** Extra `-c key=value` overrides (TOML values). */
  config?: string[];
  /** Do not write a rollout under CODEX_HOME/sessions. */
  ephemeral?: boolean;
}

export interface AgentRun {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Non-loopback destinations the CLI tried to reach (`host:port` or URL), all refused. */
  outbound: string[];
}

/** Claude Code in print mode (`claude -p`), its Bash tool allowed without asking. */
export async function runClaude(opts: ClaudeRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const env: Record<string, string> = {
      ANTHROPIC_BASE_URL: opts.baseUrl,
      ANTHROPIC_API_KEY: 'dummy',
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      CLAUDE_CODE_MAX_RETRIES: String(opts.maxRetries ?? 0),
      DISABLE_AUTOUPDATER: '1',
      ...(opts.nonessentialTraffic ? {} : { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' }),
    };
    // --allowedTools rather than bypassPermissions: the latter is refused when running as root.
    const args = ['-p', '--allowedTools', 'Bash', ...(opts.args ?? []), '--', opts.prompt];
    return spawnAgent(agentBin('claude'), args, { home, cwd, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs });
  });
}

/** Codex CLI (`codex exec`) with a `headroom` model provider pointing at baseUrl/v1. */
export async function runCodex(opts: CodexRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const codexHome = join(home, '.codex');
    fs.mkdirSync(codexHome, { recursive: true });
    const retries = opts.maxRetries ?? 0;
    const provider = [
      'name="headroom"',
      `base_url="${opts.baseUrl}/v1"`,
      'wire_api="responses"',
      'env_key="HEADROOM_TEST_API_KEY"',
      'supports_websockets=false',
      `request_max_retries=${retries}`,
      `stream_max_retries=${retries}`,
    ].join(', ');
    const config = [
      'model_provider="headroom"',
      `model_providers.headroom={${provider}}`,
      // Without these Codex contacts github.com, chatgpt.com and ab.chatgpt.com at start-up.
      'check_for_update_on_startup=false',
      'analytics.enabled=false',
      'features.plugins=false',
      ...(opts.config ?? []),
    ];
    const args = [
      'exec', '--skip-git-repo-check', '--color', 'never',
      '-s', opts.sandbox ?? 'danger-full-access',
      '-m', opts.model ?? 'gpt-fake',
      ...(opts.ephemeral ? ['--ephemeral'] : []),
      ...config.flatMap((c) => ['-c', c]),
      ...(opts.args ?? []),
      '--', opts.prompt,
    ];
    const env = { CODEX_HOME: codexHome, HEADROOM_TEST_API_KEY: 'dummy', ...opts.env };
    return spawnAgent(agentBin('codex'), args, { home, cwd, env, timeoutMs: opts.timeoutMs });
  });
}

/**
 * A script for a one-tool agent turn: the main request (the one that declares the agent's
 * shell tool) gets a call running `command`; the request that carries its output gets
 * `answer(output)`. Side requests without tools (Claude Code's session title) get a title.
 */
export function shellThenAnswer(command: string, answer: (output: string) => string): Script {
  return (call) => {
    const last = call.toolOutputs[call.toolOutputs.length - 1];
    if (last !== undefined) return answer(last);
    if (call.toolNames.includes('Bash')) return { toolCalls: [{ name: 'Bash', input: { command, description: 'Run the command' } }] };
    // max_output_tokens lifts exec_command's own cap (about 10k tokens) on what it returns.
    if (call.toolNames.includes('exec_command')) return { toolCalls: [{ name: 'exec_command', input: { cmd: command, max_output_tokens: 200_000 } }] };
    return '{"title": "Fake session"}';
  };
}

async function withDirs(opts: AgentRunOptions, run: (home: string, cwd: string) => Promise<AgentRun>): Promise<AgentRun> {
  const made: string[] = [];
  const dir = (given: string | undefined, label: string): string => {
    if (given !== undefined) return given;
    const d = fs.mkdtempSync(join(os.tmpdir(), `headroom-${label}-`));
    made.push(d);
    return d;
  };
  try {
    return await run(dir(opts.home, 'home'), dir(opts.cwd, 'work'));
  } finally {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  }
}

interface SpawnOptions {
  home: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | undefined;
}

async function spawnAgent(bin: string, args: string[], o: SpawnOptions): Promise<AgentRun> {
  const catcher = await startOutboundCatcher();
  try {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: o.home,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
      HTTPS_PROXY: catcher.url,
      HTTP_PROXY: catcher.url,
      NO_PROXY: '127.0.0.1,localhost,::1',
      ...o.env,
    };
    const run = await spawnAndWait(bin, args, o.cwd, env, o.timeoutMs ?? 60_000);
    return { ...run, outbound: catcher.seen };
  } finally {
    await catcher.close();
  }
}

async function spawnAndWait(bin: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<Omit<AgentRun, 'outbound'>> {
  const started = Date.now();
  // Own process group, so a timeout also ends the shells the agent started.
  const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Whatever the agent left running in its group (background shells) goes with it.
      killGroup(child.pid);
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
  });
}

/** A loopback HTTP proxy that refuses everything and remembers where each request was going. */
async function startOutboundCatcher(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(403).end();
  });
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    seen.push(req.url ?? '');
    socket.on('error', () => {});
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
