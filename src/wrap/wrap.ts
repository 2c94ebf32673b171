import { randomUUID } from 'node:crypto';
import type { Agent, Launch } from '../agents/index.js';
import { loadPricing } from '../pricing.js';
import type { UpstreamName } from '../proxy/routes.js';
import { definedOnly, startProxy, type ProxyOptions, type RunningProxy } from '../proxy/server.js';
import { renderExitSummary } from '../tui/exit-summary.js';
import { renderStatusLine } from '../tui/status-line.js';
import type { ExitStatus } from './exit-status.js';
import { findExecutable } from './find-executable.js';
import { runPlain } from './plain-session.js';
import { runInPty } from './pty-session.js';
import { addSourceSaving, addToTally, emptyTally, type Tally } from './tally.js';
import { createSessionDir, type SessionDir } from './session-dir.js';
import { SourceLogFollower, sourceLogPath } from '../exec/source-log.js';
import { startCapture } from '../memory/capture.js';
import { Memories } from '../memory/memory.js';
import { memoryHooks } from '../memory/proxy-hooks.js';

export interface WrapOptions {
  agent: Agent;
  /** Arguments for the agent (after `--`). */
  args: string[];
  /** Proxy settings (port, upstreams chosen by flags or HEADROOM_* variables, ...). */
  proxy: ProxyOptions;
  /** Show the live status line (interactive sessions only). */
  status: boolean;
  /** Shared project memory: recall, memory tools, and live capture of "remember ..." requests. */
  memory?: boolean;
  /** Compress big command outputs at the source with the agent's per-session hook, where it has one (default true). */
  execHook?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** Why wrap could not start the agent; the message is for the user. */
export class WrapError extends Error {
  override readonly name = 'WrapError';
}

export interface WrapResult {
  exit: ExitStatus;
  tally: Tally;
  wrapSession: string;
}

/** The environment without unset variables (a PTY takes strings only); empty values stay. */
function setVariables(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * `headroom wrap <agent>`: starts the proxy in this process, launches the agent routed
 * through it (under a PTY with a status line when both stdin and stdout are terminals,
 * otherwise with inherited stdio) and reports the session's savings when the agent exits.
 */
export async function wrap(opts: WrapOptions): Promise<WrapResult> {
  const { agent } = opts;
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;

  const file = findExecutable(agent.binary, env.PATH, cwd);
  if (!file) throw new WrapError(`${agent.title} is not installed (no \`${agent.binary}\` on PATH). Install it with: ${agent.install}`);
  // The agent's own base-URL settings become the proxy's upstreams; explicit headroom settings win.
  const upstreams = { ...definedOnly(agent.upstreams(env)), ...definedOnly(opts.proxy.upstreams ?? {}) } as Partial<Record<UpstreamName, string>>;

  const prices = loadPricing(env);
  const tally = emptyTally();
  const wrapSession = randomUUID();
  const memory = opts.memory ? await openMemory(agent, env, cwd, wrapSession, tally) : undefined;
  let sessionDir: SessionDir | undefined;
  const proxyLog: string[] = [];
  let session: { statusChanged(): void } | undefined;
  const proxy: RunningProxy = await startProxy({
    ...opts.proxy,
    port: opts.proxy.port ?? 0,
    upstreams,
    agent: agent.name,
    wrapSession,
    // The session folder's launcher puts `headroom` on the agent's PATH (see createSessionDir).
    shellHasHeadroom: true,
    ...(memory ? memory.hooks : {}),
    onRecord: (r) => {
      addToTally(tally, r, prices);
      session?.statusChanged();
    },
    onQuery: (q) => sessionDir?.writeQuery(q),
    // Nothing may be printed over the agent's screen; proxy messages wait for the exit.
    log: (line) => {
      if (proxyLog.length < 200) proxyLog.push(line);
    },
  });

  const started = Date.now();
  sessionDir = createSessionDir(env, wrapSession);
  const sourceLog = new SourceLogFollower(sourceLogPath(sessionDir.dir));
  const followSource = (): void => {
    const savings = sourceLog.poll();
    for (const s of savings) {
      addSourceSaving(tally, s, prices);
      proxy.recordSource({ by: typeof s.by === 'string' ? s.by : 'unknown', model: tally.model, tokensBefore: s.tokensBefore, tokensAfter: s.tokensAfter });
    }
    if (savings.length > 0) session?.statusChanged();
  };
  const sourceTimer = setInterval(followSource, 1000);
  let exit: ExitStatus;
  let launch: Launch | undefined;
  try {
    const interactive = stdin.isTTY === true && stdout.isTTY === true;
    const sourceHook = opts.execHook === false ? undefined : { dir: sessionDir.dir, command: sessionDir.hookCommand };
    launch = agent.launch({ proxyUrl: proxy.url, args: opts.args, env, interactive, ...(sourceHook ? { sourceHook } : {}) });
    if (launch.sourceHook && !launch.sourceHook.installed) proxyLog.push(`big command outputs are not compressed at the source: ${launch.sourceHook.why}`);
    const childEnv = setVariables({ ...env, ...launch.env, ...sessionDir.env(env.PATH), HEADROOM_PROXY_URL: proxy.url, HEADROOM_WRAP_SESSION: wrapSession });
    if (interactive) {
      const status = opts.status ? (columns: number) => renderStatusLine({ agent: agent.name, tally, proxyUrl: proxy.url, memory: memory !== undefined }, columns) : undefined;
      const s = runInPty({ file, args: launch.args, env: childEnv, cwd, stdin, stdout, ...(status ? { status } : {}) });
      session = s;
      exit = await s.exited;
    } else {
      exit = await runPlain({ file, args: launch.args, env: childEnv, cwd });
    }
  } finally {
    clearInterval(sourceTimer);
    followSource();
    launch?.cleanup?.();
    sessionDir.remove();
    sessionDir = undefined;
    await proxy.close();
    await memory?.close();
  }

  for (const line of proxyLog) stderr.write(`headroom: ${line}\n`);
  const summary = renderExitSummary(
    { agentTitle: agent.title, tally, elapsedMs: Date.now() - started, exit, pricesTaken: prices.taken, memory: memory !== undefined },
    Math.max(40, (stdout.isTTY ? stdout.columns : stderr.columns) || 100),
  );
  // Below the agent's last screen in a terminal; on stderr when stdout is the agent's output.
  (stdout.isTTY ? stdout : stderr).write(`${summary}\n`);
  return { exit, tally, wrapSession };
}

/**
 * Opens the shared memory for a wrapped session: the proxy hooks (saves attributed to this
 * agent and wrap session) and the live capture of the agent's transcript.
 */
async function openMemory(agent: Agent, env: NodeJS.ProcessEnv, cwd: string, wrapSession: string, tally: Tally) {
  let memories: Memories;
  try {
    memories = await Memories.open({ env, cwd });
    // Loaded now rather than on the first turn, which would wait for it.
    await memories.embedder();
  } catch (err) {
    throw new WrapError(`--memory: ${err instanceof Error ? err.message : String(err)}`);
  }
  const hooks = memoryHooks(memories, {
    fixed: { agent: agent.name, session: wrapSession },
    onSave: (r) => {
      if (r.status === 'inserted') tally.memoriesSaved++;
    },
  });
  const capture = await startCapture({
    agent,
    env,
    cwd,
    onRemember: async (fact, meta) => {
      const r = await memories.save({ text: fact, agent: meta.agent, session: meta.session || wrapSession, source: 'auto' });
      if (r.status === 'inserted') tally.memoriesSaved++;
    },
  });
  return {
    hooks,
    close: async () => {
      await capture.close();
      memories.close();
    },
  };
}
