import type { SourceHook } from '../exec/source-hook.js';
import { claudePostToolUse } from './claude-hook.js';
import { codexPreToolUse } from './codex-hook.js';
import { copilotPostToolUse } from './copilot-hook.js';
import { opencodeToolExecuteAfter } from './opencode-hook.js';

/** The source hooks `wrap` installs per session, by the event name `headroom hook <event>` takes. */
export const SOURCE_HOOKS: Readonly<Record<string, SourceHook>> = {
  'claude-post-tool-use': claudePostToolUse,
  'codex-pre-tool-use': codexPreToolUse,
  'copilot-post-tool-use': copilotPostToolUse,
  'opencode-tool-execute-after': opencodeToolExecuteAfter,
};
