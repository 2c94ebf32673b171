import { headroomFetch, type Fetch, type HeadroomFetchOptions } from './fetch.js';

/** A client of the Anthropic or OpenAI SDK (any client whose `withOptions` takes a `fetch`). */
export interface FetchConfigurable {
  withOptions(options: { fetch?: Fetch }): unknown;
}

/**
 * The same client with headroom in front of its requests: a copy made by the SDK's own
 * `withOptions`, whose fetch is headroomFetch over the client's own fetch. The copy keeps the
 * client's type, so responses, stream helpers and errors are the SDK's own.
 */
export function withHeadroom<C extends FetchConfigurable>(client: C, options: HeadroomFetchOptions = {}): C {
  const own = (client as { fetch?: unknown }).fetch;
  const fetch = options.fetch ?? (typeof own === 'function' ? (own.bind(client) as Fetch) : undefined);
  return client.withOptions({ fetch: headroomFetch({ ...options, ...(fetch ? { fetch } : {}) }) }) as C;
}
