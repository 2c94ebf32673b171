import type { ProviderAdapter } from '../providers/index.js';
import type { ProxyContext } from './context.js';
import type { RequestTrace } from './events.js';
import { message } from './http-util.js';
import { callUpstream, upstreamUrl } from './upstream.js';

/** A count that has not answered by then is given up. */
const VERIFY_TIMEOUT_MS = 15_000;

/**
 * `--verify`: asks the provider's free count endpoint how many input tokens the body the
 * client sent would have been, and reports it as a `verified` event. Called after the response
 * went to the client; anything that goes wrong here is a log line, never the request's failure.
 */
export async function verifyOriginal(ctx: ProxyContext, call: { adapter: ProviderAdapter; upstream: string; raw: string; pathAndQuery: string; headers: Record<string, string | string[]>; trace: RequestTrace }): Promise<void> {
  const counting = call.adapter.counting;
  if (!counting) return;
  try {
    const count = counting.request(call.raw, call.pathAndQuery);
    if (!count) return;
    const res = await callUpstream(ctx.pool, { url: upstreamUrl(call.upstream, count.pathAndQuery), method: 'POST', headers: call.headers, body: count.body, signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS), decode: true });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.status !== 200) throw new Error(`status ${res.status}: ${text.slice(0, 200)}`);
    const tokens = counting.tokens(JSON.parse(text));
    if (tokens === undefined) throw new Error('the answer carries no count');
    call.trace.emit({ type: 'verified', inputTokens: tokens });
  } catch (err) {
    ctx.log(`${call.adapter.name}: --verify: the count endpoint gave no count (${message(err)}); the request is unaffected`);
  }
}
