import { agentRecognition } from '../agents/index.js';
import { count } from '../plural.js';
import { startProxy, type RunningProxy } from '../proxy/server.js';
import type { ProxyEvent, RequestSummary } from '../proxy/events.js';
import { Memories } from '../memory/memory.js';
import { memoryHooks } from '../memory/proxy-hooks.js';
import { CliError } from './exit-codes.js';
import { proxyOptions, type ProxyCommandOptions } from './proxy-options.js';

function logLine(r: RequestSummary): string {
  const saved = r.tokensBefore - r.tokensAfter;
  const savings = r.tokensBefore > 0 ? ` ${r.tokensBefore}->${r.tokensAfter} tokens (-${saved})` : r.failedOpen ? ' failed open' : ' passed through';
  const cache = r.usage.cacheRead > 0 ? `, ${r.usage.cacheRead} cache-read` : '';
  const retrieval = r.retrievalCalls > 0 ? `, ${count(r.retrievalCalls, 'retrieval')}` : '';
  const recalled = r.recalled > 0 ? `, ${count(r.recalled, 'memory', 'memories')} recalled` : '';
  return `${new Date().toISOString()} ${r.agent} ${r.provider} ${r.model || '-'}:${savings}${cache}${retrieval}${recalled}${r.failedOpen && r.tokensBefore > 0 ? ' [failed open]' : ''}${r.upstreamError ? ' [upstream error]' : ''}`;
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
      ...agentRecognition,
      // Saves are attributed to the agent and session each request names.
      ...(memories ? memoryHooks(memories) : {}),
      onEvent: (e: ProxyEvent) => {
        if (e.type === 'log') process.stderr.write(`headroom: ${e.line}\n`);
        else if (e.type === 'finished' && !opts.quiet) process.stderr.write(`${logLine(e.summary)}\n`);
      },
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} is already in use (choose another with --port)`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    throw err;
  }
  // The first request would otherwise wait for the compressor to load.
  proxy.warm().catch((err: unknown) => process.stderr.write(`headroom: ${err instanceof Error ? err.message : String(err)}\n`));
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
  process.stdout.write(`headroom proxy stopped: ${count(s.requests.total, 'request')}, ${count(s.tokens.saved, 'tool-output token')} saved\n`);
}
