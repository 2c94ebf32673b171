import { SOURCE_HOOKS } from '../agents/source-hooks.js';
import { runSourceHook } from '../exec/source-hook.js';
import { CliError } from './exit-codes.js';

const HOOK_EVENTS = Object.keys(SOURCE_HOOKS);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `headroom hook <event>`: run by an agent (installed per session by `wrap`). Prints the hook's
 * JSON answer, or nothing to leave the tool call as the agent made it.
 */
export async function hookCommand(event: string): Promise<void> {
  const hook = SOURCE_HOOKS[event];
  if (!hook) throw new CliError(`unknown hook "${event}": headroom installs ${HOOK_EVENTS.join(', ')}`);
  const answer = await runSourceHook(hook, await readStdin(), process.env);
  if (answer !== undefined) process.stdout.write(answer);
}
