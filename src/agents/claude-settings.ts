import type { Json } from './transcript.js';

// What launching Claude Code with headroom's per-session hook needs (claude-hook.ts runs the hook).

/** The settings file's content: one PostToolUse hook on Bash running `command`. */
export function claudeHookSettings(command: string): Json {
  return { hooks: { PostToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command, timeout: 120 }] }] } };
}
