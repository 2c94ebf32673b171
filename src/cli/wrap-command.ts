import { AGENTS, agentNamed } from '../agents/index.js';
import { endByHangup } from '../wrap/stop-signals.js';
import { wrap } from '../wrap/wrap.js';
import { CliError, EXIT } from './exit-codes.js';
import { proxyOptions, type ProxyCommandOptions } from './proxy-options.js';

export interface WrapCommandOptions extends Omit<ProxyCommandOptions, 'host' | 'allowRemote' | 'token' | 'quiet'> {
  status?: boolean;
  memory?: boolean;
  execHook?: boolean;
}

/** `headroom wrap <agent> [args...]`: returns the agent's exit code (128 + signal when killed). */
export async function wrapCommand(agentName: string, args: string[], opts: WrapCommandOptions): Promise<number> {
  const agent = agentNamed(agentName);
  if (!agent) throw new CliError(`unknown agent "${agentName}"; headroom wraps: ${AGENTS.map((a) => a.name).join(', ')}`);
  // The embedded proxy listens on a free loopback port unless --port names one. Settings meant
  // for a standalone proxy stay out: the agent could not send a token it was never given.
  const standalone = { HEADROOM_PORT: undefined, HEADROOM_HOST: undefined, HEADROOM_PROXY_TOKEN: undefined };
  const proxy = proxyOptions({ ...opts, port: opts.port ?? '0' }, { ...process.env, ...standalone });
  try {
    const { exit, terminalGone } = await wrap({ agent, args, proxy, status: opts.status !== false, memory: opts.memory === true, execHook: opts.execHook !== false });
    if (terminalGone) endByHangup();
    return exit.code;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${proxy.port} is already in use (choose another with --port, or leave it out for a free one)`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on 127.0.0.1:${proxy.port}`, EXIT.usage);
    throw err;
  }
}
