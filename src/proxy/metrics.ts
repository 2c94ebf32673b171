import type { Bucket, StatsSnapshot } from './stats.js';

/** The stats in Prometheus text exposition format (version 0.0.4). */
export function prometheusText(s: StatsSnapshot): string {
  const lines: string[] = [];
  const family = (name: string, help: string, type: 'counter' | 'gauge', samples: Array<[Record<string, string>, number]>): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value}`);
  };
  family('headroom_requests_total', 'Requests on provider routes, by outcome.', 'counter', [
    [{ outcome: 'compressed' }, s.requests.compressed],
    [{ outcome: 'passed_through' }, s.requests.passedThrough],
    [{ outcome: 'failed_open' }, s.requests.failedOpen],
    [{ outcome: 'upstream_error' }, s.requests.upstreamErrors],
    [{ outcome: 'rejected' }, s.requests.rejected],
  ]);
  const perBucket = (by: string, map: Record<string, Bucket>, field: keyof Bucket): Array<[Record<string, string>, number]> =>
    Object.entries(map).map(([k, b]) => [{ [by]: k }, b[field]]);
  family('headroom_tool_output_tokens_before_total', 'Tokens of compressed tool outputs before compression, by provider.', 'counter', perBucket('provider', s.byProvider, 'tokensBefore'));
  family('headroom_tool_output_tokens_after_total', 'Tokens of compressed tool outputs after compression, by provider.', 'counter', perBucket('provider', s.byProvider, 'tokensAfter'));
  family('headroom_tokens_saved_total', 'Tokens saved, by agent.', 'counter', perBucket('agent', s.byAgent, 'tokensSaved'));
  family('headroom_kind_tokens_saved_total', 'Tokens saved, by content kind.', 'counter', Object.entries(s.byKind).map(([k, b]) => [{ kind: k }, b.tokensSaved]));
  family('headroom_cache_read_tokens_total', 'Input tokens the provider reported as read from its prompt cache.', 'counter', perBucket('provider', s.byProvider, 'cacheReadTokens'));
  family('headroom_usage_tokens_total', 'Tokens the providers reported, by type.', 'counter', [
    [{ type: 'input' }, s.usage.inputTokens],
    [{ type: 'output' }, s.usage.outputTokens],
    [{ type: 'cache_read' }, s.usage.cacheReadTokens],
    [{ type: 'cache_write' }, s.usage.cacheWriteTokens],
  ]);
  family('headroom_retrievals_total', 'headroom_retrieve calls the proxy answered.', 'counter', [[{}, s.retrievals.calls]]);
  family('headroom_retrieval_rounds_total', "Extra upstream rounds made to answer the proxy's own tool calls (retrievals and the tool set).", 'counter', [[{}, s.retrievals.rounds]]);
  family('headroom_proxy_tool_calls_total', 'Calls of the proxy-added tools (besides headroom_retrieve) the proxy ran.', 'counter', [[{}, s.proxyTools.calls]]);
  family('headroom_recalled_total', 'Items of recalled context added to newest user turns.', 'counter', [[{}, s.recall.recalled]]);
  family('headroom_sessions', 'Conversations the proxy holds cache-safety state for.', 'gauge', [[{}, s.sessions]]);
  return lines.join('\n') + '\n';
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}
