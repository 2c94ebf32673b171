import { isObject, type Json } from '../../wire/index.js';
import type { TokenCounting } from '../types.js';

/** The members `POST /v1/messages/count_tokens` accepts; it refuses others such as max_tokens and stream. */
const COUNTED = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers'];

/** Anthropic's count endpoint: the Messages body's counted members, posted beside /v1/messages (query kept). */
export const counting: TokenCounting = {
  request(raw, pathAndQuery) {
    const m = /^(.*\/v1\/messages)(\?.*)?$/.exec(pathAndQuery);
    if (!m) return undefined;
    const body = JSON.parse(raw) as Json;
    return { pathAndQuery: `${m[1]}/count_tokens${m[2] ?? ''}`, body: JSON.stringify(Object.fromEntries(COUNTED.filter((k) => k in body).map((k) => [k, body[k]]))) };
  },
  tokens: (body) => (isObject(body) && typeof body.input_tokens === 'number' ? body.input_tokens : undefined),
};
