import type { Agent } from './types.js';

/** Codex CLI: user-agent `codex_exec/...` or `codex_cli_rs/...`, session in `session-id`. */
export const codex: Agent = {
  name: 'codex',
  sentRequest: (h) => /^codex_/.test(String(h['user-agent'] ?? '')) || h.originator !== undefined,
  sessionHeaders: ['session-id', 'thread-id'],
};
