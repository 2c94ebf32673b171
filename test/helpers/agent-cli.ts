import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { AGENTS_DIR, agentBin } from './agent-bin.js';
import { ROOT } from './build-dist.js';
import type { ModelCall, Script } from './fake-upstream.js';

/**
 * Runs the real agent CLIs from node_modules non-interactively against a loopback API (the fake
 * upstream, or a headroom proxy in front of it). Each run gets its own home directory, so the
 * CLIs never read or write the real ~/.claude, ~/.codex, ~/.copilot, ~/.gemini or the user's
 * settings, and an environment built from scratch, so no real API key, base URL or proxy
 * setting leaks in.
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
  /**
   * Run the agent through `headroom wrap <agent>` (the built dist/cli.js, so build first) instead
   * of directly: headroom gets the environment the agent would have had and starts the agent with
   * it, routed through its embedded proxy. The CLI's base URL is then wrap's to set: Claude Code
   * and Gemini CLI get none from the helper (point the proxy's upstreams at the API with
   * HEADROOM_*_UPSTREAM in `wrap.env`), Codex gets none of its provider settings (wrap defines the
   * provider; OPENAI_API_KEY is set), and Gemini's settings.json does not select the auth type.
   * Copilot CLI's BYOK base URL is the user's own setting and still comes from baseUrl; wrap makes
   * it the upstream.
   */
  wrap?: WrapRun;
}

export interface WrapRun {
  /** HEADROOM_HOME for the run (ledger, CCR store). */
  headroomHome: string;
  /** headroom's own variables, e.g. HEADROOM_ANTHROPIC_UPSTREAM. */
  env?: Record<string, string>;
  /** headroom's options, placed before `--` (e.g. `--no-ledger`). */
  args?: string[];
}

export interface ClaudeRunOptions extends AgentRunOptions {
  /** Keep Claude Code's optional traffic (HEAD probe, title request, api.anthropic.com calls). */
  nonessentialTraffic?: boolean;
}

export interface CodexRunOptions extends AgentRunOptions {
  /**
   * Default gpt-fake (Codex warns that it has no metadata for it, harmlessly). null: no `-m`, so
   * Codex's own default model, which declares its tools in an `additional_tools` input item and
   * runs commands from JavaScript in its `exec` tool.
   */
  model?: string | null;
  /** Default danger-full-access: Codex's bubblewrap sandbox needs user namespaces, often blocked in CI. */
  sandbox?: 'read-only' | 'workspace-write' | 'danger-full-access';
  /** Extra `-c key=value` overrides (TOML values). */
  config?: string[];
  /** Do not write a rollout under CODEX_HOME/sessions. */
  ephemeral?: boolean;
}

export interface CopilotRunOptions extends AgentRunOptions {
  /** COPILOT_MODEL; default gpt-fake (Copilot logs that it is not in its catalog, harmlessly). */
  model?: string;
  /** COPILOT_PROVIDER_TYPE; default openai. anthropic sends /v1/messages to baseUrl itself (no /v1 added). */
  providerType?: 'openai' | 'anthropic';
  /** COPILOT_PROVIDER_WIRE_API for openai: completions (default, /v1/chat/completions) or responses (/v1/responses). */
  wireApi?: 'completions' | 'responses';
}

export interface GeminiRunOptions extends AgentRunOptions {
  /** `-m`; default none, so the CLI's own "auto" model, which routes each turn with a first call (see isGeminiRoutingCall). */
  model?: string;
  /** Default yolo: tools run without asking, and run_shell_command is only declared in yolo mode. */
  approvalMode?: 'default' | 'auto_edit' | 'yolo' | 'plan';
  /** Merged (two levels deep) over the ~/.gemini/settings.json this helper writes. */
  settings?: Record<string, unknown>;
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
      ...(opts.wrap ? {} : { ANTHROPIC_BASE_URL: opts.baseUrl }),
      ANTHROPIC_API_KEY: 'dummy',
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      CLAUDE_CODE_MAX_RETRIES: String(opts.maxRetries ?? 0),
      DISABLE_AUTOUPDATER: '1',
      ...(opts.nonessentialTraffic ? {} : { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' }),
    };
    // --allowedTools rather than bypassPermissions: the latter is refused when running as root.
    const args = ['-p', '--allowedTools', 'Bash', ...(opts.args ?? []), '--', opts.prompt];
    return spawnAgent('claude', args, { home, cwd, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
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
      // Under wrap the provider is wrap's (same name, pointing at its proxy); only the retries are ours.
      ...(opts.wrap
        ? [`model_providers.headroom.request_max_retries=${retries}`, `model_providers.headroom.stream_max_retries=${retries}`]
        : ['model_provider="headroom"', `model_providers.headroom={${provider}}`]),
      // Without these Codex contacts github.com, chatgpt.com and ab.chatgpt.com at start-up.
      'check_for_update_on_startup=false',
      'analytics.enabled=false',
      'features.plugins=false',
      ...(opts.config ?? []),
    ];
    const args = [
      'exec', '--skip-git-repo-check', '--color', 'never',
      '-s', opts.sandbox ?? 'danger-full-access',
      ...(opts.model === null ? [] : ['-m', opts.model ?? 'gpt-fake']),
      ...(opts.ephemeral ? ['--ephemeral'] : []),
      ...config.flatMap((c) => ['-c', c]),
      ...(opts.args ?? []),
      '--', opts.prompt,
    ];
    // wrap's provider reads the key from OPENAI_API_KEY (and wrap refuses to start without one).
    const env = { CODEX_HOME: codexHome, ...(opts.wrap ? { OPENAI_API_KEY: 'dummy' } : { HEADROOM_TEST_API_KEY: 'dummy' }), ...opts.env };
    return spawnAgent('codex', args, { home, cwd, env, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}

/**
 * GitHub Copilot CLI in prompt mode (`copilot -p -s`), bring-your-own-key against baseUrl, in
 * offline mode (no GitHub login, telemetry, web tools or updates), all tools and paths allowed.
 * `maxRetries` has no effect: Copilot retries a 5xx or 429 five times with backoff whatever is set
 * (about 15 s for 500s, about 50 s for 429s), so script no errors for it under a short timeout.
 */
export async function runCopilot(opts: CopilotRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const type = opts.providerType ?? 'openai';
    const env: Record<string, string> = {
      COPILOT_PROVIDER_BASE_URL: type === 'anthropic' ? opts.baseUrl : `${opts.baseUrl}/v1`,
      COPILOT_PROVIDER_TYPE: type,
      COPILOT_PROVIDER_API_KEY: 'dummy',
      COPILOT_PROVIDER_WIRE_API: opts.wireApi ?? 'completions',
      COPILOT_MODEL: opts.model ?? 'gpt-fake',
      COPILOT_OFFLINE: 'true',
      // The native binary unpacks its JS (~230 MB) on first start; keep one copy, not one per home.
      COPILOT_PKG_CACHE_HOME: join(AGENTS_DIR, 'copilot-pkg'),
      TMPDIR: sandboxTmp(home),
    };
    // --allow-all-paths too: otherwise -p mode denies a command touching a path outside the cwd and
    // TMPDIR (even /dev/zero: "Permission denied because no interactive user response was available").
    // -s prints only the agent's answer (no tool transcript, no stats).
    const args = ['--allow-all-tools', '--allow-all-paths', '-s', ...(opts.args ?? []), `--prompt=${opts.prompt}`];
    return spawnAgent('copilot', args, { home, cwd, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}

/**
 * Gemini CLI in headless mode (`gemini -p`) with API-key auth against baseUrl (no /v1beta: the SDK
 * adds it), usage statistics off, the working directory trusted, tools approved (yolo).
 */
export async function runGemini(opts: GeminiRunOptions): Promise<AgentRun> {
  return withDirs(opts, (home, cwd) => {
    const defaults: Record<string, unknown> = {
      // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which -p mode refuses
      // ("Invalid auth method selected."); gemini-api-key still honours the base URL. Under wrap
      // it is left to the test (headroom refuses a prompt-mode run without it).
      ...(opts.wrap ? {} : { security: { auth: { selectedType: 'gemini-api-key' } } }),
      // Otherwise it posts telemetry to play.googleapis.com.
      privacy: { usageStatisticsEnabled: false },
      // Model calls (not the routing call, which always makes 5 attempts).
      general: { maxAttempts: (opts.maxRetries ?? 0) + 1 },
    };
    const settingsDir = join(home, '.gemini');
    fs.mkdirSync(settingsDir, { recursive: true });
    fs.writeFileSync(join(settingsDir, 'settings.json'), `${JSON.stringify(mergeSettings(defaults, opts.settings ?? {}), null, 2)}\n`);
    const env: Record<string, string> = {
      GEMINI_API_KEY: 'dummy',
      ...(opts.wrap ? {} : { GOOGLE_GEMINI_BASE_URL: opts.baseUrl }),
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      // Error reports (gemini-client-error-*.json) go to the temp dir: keep them in the sandbox.
      TMPDIR: sandboxTmp(home),
    };
    const args = [
      '--approval-mode', opts.approvalMode ?? 'yolo',
      ...(opts.model !== undefined ? ['-m', opts.model] : []),
      ...(opts.args ?? []),
      `--prompt=${opts.prompt}`,
    ];
    return spawnAgent('gemini', args, { home, cwd, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs, wrap: opts.wrap });
  });
}

/** The reply Gemini CLI's router expects: a low score routes the turn to its flash model. */
export const GEMINI_ROUTE = '{"complexity_reasoning": "Fake route.", "complexity_score": 10}';

/**
 * Gemini CLI's routing call (model "auto"): a non-streamed generateContent that asks for JSON with
 * a complexity score, once per prompt (not per tool round). A reply it cannot parse is logged and
 * the turn falls back to the pro model; an error is retried with backoff five times whatever
 * general.maxAttempts says (a minute or more).
 */
export function isGeminiRoutingCall(call: ModelCall): boolean {
  if (call.format !== 'gemini' || call.stream) return false;
  const config = (call.request.json as { generationConfig?: { responseJsonSchema?: { properties?: Record<string, unknown> } } } | undefined)?.generationConfig;
  return config?.responseJsonSchema?.properties?.complexity_score !== undefined;
}

/** A script answering every agent turn with `text`, and side requests with what they need. */
export function answerWith(text: string): Script {
  return (call) => (isGeminiRoutingCall(call) ? GEMINI_ROUTE : text);
}

/**
 * A script for a one-tool agent turn: the main request (the one that declares the agent's
 * shell tool) gets a call running `command`; the request that carries its output gets
 * `answer(output)`. Side requests without tools get what they need: Gemini CLI's routing call a
 * route, others (Claude Code's session title) a title.
 */
export function shellThenAnswer(command: string, answer: (output: string) => string, opts: { liftCodexCap?: boolean } = {}): Script {
  const lift = opts.liftCodexCap ?? true;
  return (call) => {
    if (isGeminiRoutingCall(call)) return GEMINI_ROUTE;
    const last = call.toolOutputs[call.toolOutputs.length - 1];
    if (last !== undefined) return answer(last);
    if (call.toolNames.includes('Bash')) return { toolCalls: [{ name: 'Bash', input: { command, description: 'Run the command' } }] };
    // max_output_tokens lifts exec_command's own cap (about 10,000 bytes) on what it returns; liftCodexCap: false keeps it.
    if (call.toolNames.includes('exec_command')) return { toolCalls: [{ name: 'exec_command', input: { cmd: command, ...(lift ? { max_output_tokens: 200_000 } : {}) } }] };
    // Codex's default model: its shell is nested in the `exec` tool, JavaScript that calls tools.exec_command.
    if (call.toolNames.includes('exec') && call.format === 'openai-responses') return { toolCalls: [{ name: 'exec', namespace: 'functions', input: {}, freeform: codexExecScript(command, lift) }] };
    // Copilot CLI.
    if (call.toolNames.includes('bash')) return { toolCalls: [{ name: 'bash', input: { command, description: 'Run the command' } }] };
    // Cline.
    if (call.toolNames.includes('run_commands')) return { toolCalls: [{ name: 'run_commands', input: { commands: [command] } }] };
    // Gemini CLI (declared in yolo mode only).
    if (call.toolNames.includes('run_shell_command')) return { toolCalls: [{ name: 'run_shell_command', input: { command, description: 'Run the command' } }] };
    return '{"title": "Fake session"}';
  };
}

/** The `exec` tool's JavaScript that runs `command` with exec_command and returns its output. */
export function codexExecScript(command: string, liftCap: boolean): string {
  const args = { cmd: command, ...(liftCap ? { max_output_tokens: 200_000 } : {}) };
  return `${liftCap ? '// @exec: {"max_output_tokens": 200000}\n' : ''}const r = await tools.exec_command(${JSON.stringify(args)});\ntext(r.output);`;
}

export async function withDirs(opts: AgentRunOptions, run: (home: string, cwd: string) => Promise<AgentRun>): Promise<AgentRun> {
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

/** A temp dir inside the sandbox home, so what a CLI leaves in TMPDIR goes with the home. */
export function sandboxTmp(home: string): string {
  const dir = join(home, 'tmp');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `over` on `base`, objects merged one level down (settings sections), anything else replaced. */
function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? { ...prev, ...value } : value;
  }
  return out;
}

export interface SpawnOptions {
  home: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | undefined;
  wrap: WrapRun | undefined;
  /** Its executable, when not named as the agent (Continue's `cn`). */
  binary?: string;
}

/** Runs an installed agent CLI (directly, or under `headroom wrap` when `o.wrap` is set) in the offline sandbox. */
export async function spawnAgent(agent: string, agentArgs: string[], o: SpawnOptions): Promise<AgentRun> {
  const catcher = await startOutboundCatcher();
  try {
    const agentPath = agentBin(o.binary ?? agent);
    // Under wrap: headroom (this Node, the built CLI) finds the agent on PATH and passes it the
    // same environment, plus its own routing.
    const [bin, args] = o.wrap
      ? [process.execPath, [join(ROOT, 'dist/cli.js'), 'wrap', agent, ...(o.wrap.args ?? []), '--', ...agentArgs]]
      : [agentPath, agentArgs];
    const path = process.env.PATH ?? '/usr/bin:/bin';
    const env = {
      PATH: o.wrap ? `${dirname(agentPath)}:${path}` : path,
      HOME: o.home,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
      HTTPS_PROXY: catcher.url,
      HTTP_PROXY: catcher.url,
      NO_PROXY: '127.0.0.1,localhost,::1',
      ...(o.wrap ? { HEADROOM_HOME: o.wrap.headroomHome, ...o.wrap.env } : {}),
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
export async function startOutboundCatcher(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
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
