import { compressText } from '../compress/compress-text.js';
import { compressRequest } from '../library/compress-request.js';
import { isProviderName, PROVIDERS } from '../providers/index.js';
import { CONTENT_KINDS, isContentKind, type ContentKind } from '../compress/types.js';
import { CliError } from './exit-codes.js';
import { readInput, readInputBytes } from './read-input.js';

export interface CompressCommandOptions {
  query?: string;
  command?: string;
  kind?: string;
  keep?: string;
  json?: boolean;
  request?: string;
  provider?: string;
}

/** `headroom compress`: one tool output, or every tool output of a request body. */
/**
 * Returns the text to print, or the input's own bytes when nothing was compressed (so
 * binary or non-UTF-8 input passes through byte for byte instead of being re-encoded).
 */
export async function compressCommand(file: string | undefined, opts: CompressCommandOptions): Promise<string | Buffer> {
  if (opts.request !== undefined) {
    if (file !== undefined) throw new CliError('give either FILE or --request FILE.json, not both');
    const provider = opts.provider ?? 'anthropic';
    if (!isProviderName(provider)) throw new CliError(`unknown provider "${provider}": use one of ${Object.keys(PROVIDERS).join(', ')}`);
    const raw = await readInput(opts.request);
    let result;
    try {
      result = compressRequest(raw, { provider, ...(opts.query !== undefined ? { query: opts.query } : {}) });
    } catch (err) {
      throw new CliError(`${opts.request} is not a valid JSON request body: ${(err as Error).message}`, undefined, { cause: err });
    }
    if (result.unstored) warn(result.unstored);
    if (!opts.json) return result.body;
    const { body: _body, ...stats } = result;
    return JSON.stringify({ ...stats, toolOutputs: stats.toolOutputs.map(({ text: _t, ...o }) => o), body: result.body }, null, 2);
  }
  let kind: ContentKind | undefined;
  if (opts.kind !== undefined) {
    if (!isContentKind(opts.kind)) throw new CliError(`unknown kind "${opts.kind}": use one of ${CONTENT_KINDS.join(', ')}`);
    kind = opts.kind;
  }
  const keep = opts.keep === undefined ? undefined : Number(opts.keep);
  if (keep !== undefined && !(keep > 0 && keep <= 100)) throw new CliError(`--keep must be a number above 0 and at most 100 (1 is the size policy), not "${opts.keep}"`);
  const bytes = await readInputBytes(file);
  const input = new TextDecoder('utf-8').decode(bytes);
  const r = compressText(input, {
    ...(opts.query !== undefined ? { query: opts.query } : {}),
    ...(opts.command !== undefined ? { step: { tool: 'shell', input: { command: opts.command } } } : {}),
    ...(kind ? { kind } : {}),
    ...(keep !== undefined ? { keep } : {}),
  });
  if (r.failedOpen) warn(r.failedOpen);
  if (!opts.json) return r.text === input ? bytes : r.text;
  return JSON.stringify({ kind: r.kind, tokensBefore: r.tokensBefore, tokensAfter: r.tokensAfter, retrievalKeys: r.retrievalKeys, ms: Number(r.ms.toFixed(3)) });
}

/** A note on stderr: the text on stdout is still what the user asked for. */
function warn(reason: string): void {
  process.stderr.write(`headroom: ${reason}\n`);
}
