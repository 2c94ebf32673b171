/** When the proxy adds headroom_retrieve to requests (see compress-request.ts for what each means). */
export const RETRIEVE_TOOL_MODES = ['always', 'when-compressed', 'never'] as const;
export type RetrieveToolMode = (typeof RETRIEVE_TOOL_MODES)[number];
