import { anthropic, gemini, openaiChat, openaiResponses, type Operation, type ProviderAdapter } from '../providers/index.js';

/** The three upstreams; OpenAI's two wire formats share one. */
export type UpstreamName = 'anthropic' | 'openai' | 'gemini';

export const DEFAULT_UPSTREAMS: Readonly<Record<UpstreamName, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

export interface ApiRoute {
  adapter: ProviderAdapter;
  upstream: UpstreamName;
  op: Operation;
  /** Model named by the path (Gemini). */
  model?: string;
  /** Streaming decided by the path (Gemini); otherwise by the body's `stream`. */
  stream?: boolean;
}

const GEMINI_RE = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** The provider route a request is for, or undefined for everything passed through untouched. */
export function matchRoute(method: string, pathname: string): ApiRoute | undefined {
  if (method !== 'POST') return undefined;
  switch (pathname) {
    case '/v1/messages':
      return { adapter: anthropic, upstream: 'anthropic', op: 'generate' };
    case '/v1/messages/count_tokens':
      return { adapter: anthropic, upstream: 'anthropic', op: 'count-tokens' };
    case '/v1/chat/completions':
      return { adapter: openaiChat, upstream: 'openai', op: 'generate' };
    case '/v1/responses':
      return { adapter: openaiResponses, upstream: 'openai', op: 'generate' };
  }
  const g = GEMINI_RE.exec(pathname);
  if (g) return { adapter: gemini, upstream: 'gemini', op: 'generate', model: decodeURIComponent(g[2]!), stream: g[3] === 'streamGenerateContent' };
  return undefined;
}

/** Which upstream an unrouted request (probe, model list, ...) goes to, from its headers and path. */
export function upstreamForOther(pathname: string, headers: Readonly<Record<string, unknown>>, fallback: UpstreamName): UpstreamName {
  if (pathname.startsWith('/v1beta/') || headers['x-goog-api-key'] !== undefined) return 'gemini';
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined) return 'anthropic';
  if (headers.authorization !== undefined) return 'openai';
  return fallback;
}
