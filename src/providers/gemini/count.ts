import { isObject, type Json } from '../../wire/index.js';
import type { TokenCounting } from '../types.js';

/** The members of a generateContent body that make up its prompt. */
const COUNTED = ['contents', 'systemInstruction', 'tools', 'toolConfig', 'cachedContent'];

/**
 * Gemini's `models/{model}:countTokens`, given the whole request as `generateContentRequest`
 * (a bare `contents` would leave out the system instruction and tools). `alt=sse` is dropped
 * from the query, anything else (an API key) is kept.
 */
export const counting: TokenCounting = {
  request(raw, pathAndQuery) {
    const m = /^(.*\/models\/)([^/:?]+):(?:stream)?[gG]enerateContent(?:\?(.*))?$/.exec(pathAndQuery);
    if (!m) return undefined;
    const body = JSON.parse(raw) as Json;
    const query = (m[3] ?? '').split('&').filter((p) => p !== '' && !p.startsWith('alt=')).join('&');
    const request = { model: `models/${decodeURIComponent(m[2]!)}`, ...Object.fromEntries(COUNTED.filter((k) => k in body).map((k) => [k, body[k]])) };
    return { pathAndQuery: `${m[1]}${m[2]}:countTokens${query ? `?${query}` : ''}`, body: JSON.stringify({ generateContentRequest: request }) };
  },
  tokens: (body) => (isObject(body) && typeof body.totalTokens === 'number' ? body.totalTokens : undefined),
};
