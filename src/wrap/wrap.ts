import { randomUUID } from 'node:crypto';
import { agentRecognition, type Agent } from '../agents/index.js';
import { followSourceLog } from '../exec/source-log.js';
import type { Memories } from '../memory/memory.js';
import type { WrapMemory } from './wrap-memory.js';
import { loadPricing } from '../pricing.js';
import { LaunchError } from '../errors.js';
import { message } from '../proxy/http-util.js';
import type { UpstreamName } from '../proxy/routes.js';
import { definedOnly, startProxy, type ProxyOptions } from '../proxy/server.js';
import { exitStatus, type ExitStatus } from '../exec/exit-status.js';
import { findExecutable } from './find-executable.js';
import { runPlain } from './plain-session.js';
import { runInPty } from './pty-session.js';
import { withScope } from './scope.js';
import { createSessionDir, sweepDeadSessions, type SessionDir } from './session-dir.js';
import { StopSignals, terminalGone } from './stop-signals.js';
import { addSourceSaving, addToTally, emptyTally, type Tally } from './tally.js';

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

export interface WrapResult {
  exit: ExitStatus;
  tally: Tally;
  wrapSession: string;
  /** The terminal hung up (headroom should end as a hung-up program does: see endByHangup). */
  terminalGone: boolean;
}

/** The environment without unset variables (a PTY takes strings only); empty values stay. */
function setVariables(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * `headroom wrap <agent>`: starts the proxy in this process, launches the agent routed
 * through it (under a PTY with a status line when both stdin and stdout are terminals,
 * otherwise with inherited stdio) and reports the session's savings when the agent exits.
 *
 * Only what the agent needs at once is ready before it starts (the proxy listening, the session
 * folder); the memory, the status line's renderer and the proxy's compressor load while the
 * agent starts. Everything acquired is released in reverse order however the session ends, and
 * a signal that ends headroom before the agent runs takes it all down too.
 */
export async function wrap(opts: WrapOptions): Promise<WrapResult> {
  const { agent } = opts;
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;

  const file = findExecutable(agent.binary, env.PATH, cwd);
  if (!file) throw new LaunchError(`${agent.title} is not installed (no \`${agent.binary}\` on PATH). Install it with: ${agent.install}`);
  // The agent's own base-URL settings become the proxy's upstreams; explicit headroom settings win.
  const upstreams = { ...definedOnly(agent.upstreams(env, opts.args)), ...definedOnly(opts.proxy.upstreams ?? {}) } as Partial<Record<UpstreamName, string>>;
  // The memory's code loads only for --memory; a bad HEADROOM_EMBEDDER is refused before anything starts.
  const memoryCode = opts.memory ? await import('./wrap-memory.js') : undefined;
  if (memoryCode) {
    try {
      memoryCode.checkMemorySettings(env);
    } catch (err) {
      throw new LaunchError(`--memory: ${message(err)}`, { cause: err });
    }
  }

  const prices = loadPricing(env);
  const tally = emptyTally();
  const wrapSession = randomUUID();
  const proxyLog: string[] = [];
  // Nothing may be printed over the agent's screen; messages wait for the exit.
  const note = (line: string): void => {
    if (proxyLog.length < 200) proxyLog.push(line);
  };
  let session: { statusChanged(): void } | undefined;
  let sessionDir: SessionDir | undefined;
  let memoryOpen = false;
  let agentRan = false;
  const started = Date.now();
  const stops = new StopSignals();

  const exit = await withScope(async (scope): Promise<ExitStatus> => {
    scope.defer(() => stops.dispose());
    // The memory the proxy's hooks wait for, opened once the agent has started.
    let openMemory: (m: Promise<Memories>) => void = () => undefined;
    const memories = opts.memory ? new Promise<Memories>((resolve) => (openMemory = resolve)) : undefined;
    memories?.catch(() => undefined); // a memory that cannot open is reported below, and each hook call says so
    const hooks = memoryCode && memories ? memoryCode.memoryProxyHooks(memories, agent, wrapSession, tally) : {};
    const proxy = await scope.use(
      () =>
        startProxy({
          ...opts.proxy,
          port: opts.proxy.port ?? 0,
          upstreams,
          agent: agent.name,
          ...agentRecognition,
          wrapSession,
          // The session folder's launcher puts `headroom` on the agent's PATH (see createSessionDir).
          shellHasHeadroom: true,
          ...hooks,
          onEvent: (e) => {
            if (e.type === 'finished') {
              addToTally(tally, e.summary, prices);
              session?.statusChanged();
            } else if (e.type === 'query') sessionDir?.writeQuery(e.query);
            else if (e.type === 'log') note(e.line);
          },
        }),
      (p) => p.close(),
    );
    sweepDeadSessions(env);
    const dir = await scope.use(
      () => createSessionDir(env, wrapSession),
      (d) => {
        sessionDir = undefined;
        d.remove();
      },
    );
    sessionDir = dir;
    // Savings made at the source (headroom exec, the agent's hook) count in the tally and the proxy's stats.
    const stopFollowing = followSourceLog(dir.dir, (savings) => {
      for (const s of savings) {
        addSourceSaving(tally, s, prices);
        proxy.recordSource({ by: typeof s.by === 'string' ? s.by : 'unknown', model: tally.model, tokensBefore: s.tokensBefore, tokensAfter: s.tokensAfter });
      }
      session?.statusChanged();
    });
    scope.defer(stopFollowing);
    if (stops.received) return exitStatus(null, stops.received); // ended before the agent started
    agentRan = true;

    const interactive = stdin.isTTY === true && stdout.isTTY === true;
    const sourceHook = opts.execHook === false ? undefined : { dir: dir.dir, command: dir.hookCommand };
    const launch = agent.launch({ proxyUrl: proxy.url, args: opts.args, env, interactive, ...(sourceHook ? { sourceHook } : {}) });
    scope.defer(() => launch.cleanup?.());
    if (launch.sourceHook && !launch.sourceHook.installed) note(`big command outputs are not compressed at the source: ${launch.sourceHook.why}`);
    const childEnv = setVariables({ ...env, ...launch.env, ...dir.env(env.PATH), HEADROOM_PROXY_URL: proxy.url, HEADROOM_WRAP_SESSION: wrapSession });

    // The status line's renderer (Ink) loads in the background; until then the status row stays blank.
    let render: typeof import('../tui/status-line.js').renderStatusLine | undefined;
    const status = interactive && opts.status ? (columns: number) => render?.({ agent: agent.name, tally, proxyUrl: proxy.url, memory: memoryOpen }, columns) ?? '' : undefined;
    let exited: Promise<ExitStatus>;
    let started: Promise<void>;
    if (interactive) {
      const s = runInPty({ file, args: launch.args, env: childEnv, cwd, stdin, stdout, ...(status ? { status } : {}) });
      session = s;
      exited = s.exited;
      // Loading modules holds up this process, which relays the agent's screen: its first one goes first.
      started = s.started;
    } else {
      exited = runPlain({ file, args: launch.args, env: childEnv, cwd });
      started = Promise.resolve();
    }
    // The agent's session passes these signals on to the agent from now on.
    stops.dispose();

    // While the agent starts: the memory, the status line's renderer, and the proxy's compressor
    // (the first request would wait for it).
    let ending = false;
    let memory: WrapMemory | undefined;
    scope.defer(async () => {
      ending = true;
      await memory?.close();
    });
    const background = async (): Promise<void> => {
      if (memoryCode && !ending) {
        memory = memoryCode.openWrapMemory(agent, env, cwd, wrapSession, tally);
        openMemory(memory.memories);
        memory.memories.then(
          () => {
            memoryOpen = true;
            session?.statusChanged();
          },
          (err: unknown) => note(`--memory: ${message(err)}; the session went on without the shared memory`),
        );
      }
      if (status) {
        render = (await import('../tui/status-line.js')).renderStatusLine;
        session?.statusChanged();
      }
      await proxy.warm();
    };
    started.then(() => (ending ? undefined : background())).catch((err: unknown) => note(`loading failed: ${message(err)}`));
    return exited;
  });

  const gone = terminalGone(stdout) || (!stdout.isTTY && terminalGone(stderr));
  if (!gone) for (const line of proxyLog) stderr.write(`headroom: ${line}\n`);
  if (!gone && agentRan) {
    const { renderExitSummary } = await import('../tui/exit-summary.js');
    const summary = renderExitSummary(
      { agentTitle: agent.title, tally, elapsedMs: Date.now() - started, exit, pricesTaken: prices.taken, memory: memoryOpen },
      Math.max(40, (stdout.isTTY ? stdout.columns : stderr.columns) || 100),
    );
    // Below the agent's last screen in a terminal; on stderr when stdout is the agent's output.
    (stdout.isTTY ? stdout : stderr).write(`${summary}\n`);
  }
  return { exit, tally, wrapSession, terminalGone: gone };
}
