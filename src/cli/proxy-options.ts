import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, type ProxyOptions } from '../proxy/server.js';
import { RETRIEVE_TOOL_MODES, type RetrieveToolMode } from '../proxy/retrieve-tool-mode.js';
import { parseHoldout } from '../proxy/holdout.js';
import { CliError } from './exit-codes.js';

export interface ProxyCommandOptions {
  host?: string;
  port?: string;
  anthropicUpstream?: string;
  openaiUpstream?: string;
  geminiUpstream?: string;
  /** `--allow-remote host[,host...]`: the names clients use to reach the proxy (bare `--allow-remote` is refused). */
  allowRemote?: string | boolean;
  token?: string;
  maxBodyMb?: string;
  retrieveTool?: string;
  verify?: boolean;
  holdout?: string;
  ledger?: boolean;
  quiet?: boolean;
  memory?: boolean;
}

function positiveNumber(raw: string, what: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${what} must be a positive number, got "${raw}"`);
  return n;
}

/**
 * The host list of --allow-remote. A bare switch is refused: with it any web page could reach
 * the proxy by rebinding a name of its own to the proxy's address; the list says which names are the proxy's.
 */
function allowRemoteHosts(value: string | boolean | undefined): string[] {
  if (value === undefined || value === false) return [];
  const hosts = value === true ? [] : value.split(',').map((h) => h.trim()).filter((h) => h !== '');
  if (hosts.length === 0) throw new CliError('--allow-remote takes the host names clients use to reach the proxy, e.g. --allow-remote proxy.lan,10.0.0.5:8787');
  return hosts;
}

/** The proxy's options from flags, then HEADROOM_* environment variables. */
export function proxyOptions(opts: ProxyCommandOptions, env: NodeJS.ProcessEnv = process.env): ProxyOptions {
  const port = opts.port ?? env.HEADROOM_PORT ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new CliError(`--port must be a port number (0-65535), got "${port}"`);
  const maxBodyMb = opts.maxBodyMb ?? env.HEADROOM_MAX_BODY_MB;
  const token = opts.token ?? env.HEADROOM_PROXY_TOKEN;
  const retrieveTool = opts.retrieveTool ?? env.HEADROOM_RETRIEVE_TOOL ?? 'always';
  if (!RETRIEVE_TOOL_MODES.includes(retrieveTool as RetrieveToolMode)) {
    throw new CliError(`--retrieve-tool must be one of ${RETRIEVE_TOOL_MODES.join(', ')}, got "${retrieveTool}"`);
  }
  const holdoutText = opts.holdout ?? env.HEADROOM_HOLDOUT ?? '0';
  const holdout = parseHoldout(holdoutText);
  if (holdout === undefined) throw new CliError(`--holdout must be a percentage from 0 to 100, got "${holdoutText}"`);
  const verify = opts.verify === true || env.HEADROOM_VERIFY === '1';
  return {
    host: opts.host ?? env.HEADROOM_HOST ?? '127.0.0.1',
    port: Number(port),
    upstreams: {
      anthropic: opts.anthropicUpstream ?? env.HEADROOM_ANTHROPIC_UPSTREAM,
      openai: opts.openaiUpstream ?? env.HEADROOM_OPENAI_UPSTREAM,
      gemini: opts.geminiUpstream ?? env.HEADROOM_GEMINI_UPSTREAM,
    } as ProxyOptions['upstreams'],
    allowRemote: allowRemoteHosts(opts.allowRemote),
    retrieveTool: retrieveTool as RetrieveToolMode,
    ...(verify ? { verify } : {}),
    ...(holdout > 0 ? { holdout } : {}),
    ...(token ? { token } : {}),
    maxBodyBytes: maxBodyMb ? Math.round(positiveNumber(maxBodyMb, '--max-body-mb') * 1024 * 1024) : DEFAULT_MAX_BODY_BYTES,
    ...(opts.ledger === false ? { ledgerDir: false as const } : {}),
  };
}
