/** The tool the proxy adds when a request carries retrieval markers (declared in proxy/retrieval). */
export const RETRIEVE_TOOL_NAME = 'headroom_retrieve';

/** The proxy-call names of a request the proxy added no other tools to: the adapters' default. */
export const RETRIEVE_ONLY: ReadonlySet<string> = new Set([RETRIEVE_TOOL_NAME]);
