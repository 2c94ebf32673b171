import { claudePostToolUse } from '../agents/claude-hook.js';
import { codexPreToolUse } from '../agents/codex-hook.js';
import { copilotPostToolUse } from '../agents/copilot-hook.js';
import { CliError } from './exit-codes.js';

/** What `headroom hook <event>` runs: the hook input (parsed JSON) in, the JSON answer out (undefined: no answer). */
type HookHandler = (input: unknown, env: NodeJS.ProcessEnv) => Promise<unknown>;

/** The hooks `wrap` installs per session, by event name. */
const HOOKS: Record<string, HookHandler> = {
  'claude-post-tool-use': claudePostToolUse,
  'codex-pre-tool-use': codexPreToolUse,
  'copilot-post-tool-use': copilotPostToolUse,
};

export const HOOK_EVENTS = Object.keys(HOOKS);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `headroom hook <event>`: run by an agent (installed per session by `wrap`). Prints the hook's
 * JSON answer, or nothing to leave the tool call as the agent made it. Never fails the agent's
 * tool call: any problem means "leave it alone".
 */
export async function hookCommand(event: string): Promise<void> {
  const handler = HOOKS[event];
  if (!handler) throw new CliError(`unknown hook "${event}": headroom installs ${HOOK_EVENTS.join(', ')}`);
  let input: unknown;
  try {
    input = JSON.parse(await readStdin());
  } catch {
    return;
  }
  let answer: unknown;
  try {
    answer = await handler(input, process.env);
  } catch {
    return;
  }
  if (answer !== undefined) process.stdout.write(`${JSON.stringify(answer)}\n`);
}
