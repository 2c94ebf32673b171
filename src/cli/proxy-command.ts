import { ConfigError } from '../config.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, startProxy, type ProxyOptions, type RunningProxy } from '../proxy/server.js';
import type { RequestRecord } from '../proxy/stats.js';
import { RETRIEVE_TOOL_MODES, type RetrieveToolMode } from '../proxy/compress-request.js';
import { Memories } from '../memory/memory.js';
import { memoryHooks } from '../memory/proxy-hooks.js';
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
    ...(token ? { token } : {}),
    maxBodyBytes: maxBodyMb ? Math.round(positiveNumber(maxBodyMb, '--max-body-mb') * 1024 * 1024) : DEFAULT_MAX_BODY_BYTES,
    ...(opts.ledger === false ? { ledgerDir: false as const } : {}),
  };
}

function logLine(r: RequestRecord): string {
  const saved = r.tokensBefore - r.tokensAfter;
  const savings = r.tokensBefore > 0 ? ` ${r.tokensBefore}->${r.tokensAfter} tokens (-${saved})` : ' passed through';
  const cache = r.usage.cacheRead > 0 ? `, ${r.usage.cacheRead} cache-read` : '';
  const retrieval = r.retrievalCalls > 0 ? `, ${r.retrievalCalls} retrieval(s)` : '';
  const recalled = r.recalled > 0 ? `, ${r.recalled} memories recalled` : '';
  return `${new Date().toISOString()} ${r.agent} ${r.provider} ${r.model || '-'}:${savings}${cache}${retrieval}${recalled}${r.upstreamError ? ' [upstream error]' : ''}`;
}

/** `headroom proxy`: runs until SIGINT/SIGTERM, one log line per request on stderr. */
export async function proxyCommand(opts: ProxyCommandOptions): Promise<void> {
  const options = proxyOptions(opts);
  let memories: Memories | undefined;
  if (opts.memory) {
    try {
      memories = await Memories.open();
      await memories.embedder();
    } catch (err) {
      throw new CliError(`--memory: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      ...options,
      // Saves are attributed to the agent and session each request names.
      ...(memories ? memoryHooks(memories) : {}),
      ...(opts.quiet ? {} : { onRecord: (r: RequestRecord) => process.stderr.write(`${logLine(r)}\n`) }),
      log: (line) => process.stderr.write(`headroom: ${line}\n`),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} is already in use (choose another with --port)`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    throw err;
  }
  process.stdout.write(
    `headroom proxy ${proxy.url}\n` +
      `  Claude Code:  ANTHROPIC_BASE_URL=${proxy.url}\n` +
      `  OpenAI SDKs:  OPENAI_BASE_URL=${proxy.url}/v1\n` +
      `  Gemini CLI:   GOOGLE_GEMINI_BASE_URL=${proxy.url}\n` +
      `  stats: ${proxy.url}/stats   metrics: ${proxy.url}/metrics\n` +
      (memories ? `  memory: ${memories.project} (${memories.embedderId})\n` : ''),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const s = proxy.stats();
  await proxy.close();
  memories?.close();
  process.stdout.write(`headroom proxy stopped: ${s.requests.total} requests, ${s.tokens.saved} tool-output tokens saved\n`);
}
