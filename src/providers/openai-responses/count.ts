import { isObject, type Json } from '../../wire/index.js';
import type { TokenCounting } from '../types.js';

/** The members `POST /v1/responses/input_tokens` takes (what shapes the input; not streaming, storage or sampling). */
const COUNTED = ['model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'text', 'truncation', 'previous_response_id', 'conversation'];

/** OpenAI's input-token count for a Responses request, posted beside /v1/responses. */
export const counting: TokenCounting = {
  request(raw, pathAndQuery) {
    const m = /^(.*\/responses)(\?.*)?$/.exec(pathAndQuery);
    if (!m) return undefined;
    const body = JSON.parse(raw) as Json;
    return { pathAndQuery: `${m[1]}/input_tokens${m[2] ?? ''}`, body: JSON.stringify(Object.fromEntries(COUNTED.filter((k) => k in body).map((k) => [k, body[k]]))) };
  },
  tokens: (body) => (isObject(body) && typeof body.input_tokens === 'number' ? body.input_tokens : undefined),
};
