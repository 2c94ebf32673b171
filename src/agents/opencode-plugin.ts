// What launching opencode with headroom's per-session plugin needs (opencode-hook.ts runs the hook).

/** The plugin file's name in the session folder. */
export const OPENCODE_PLUGIN_FILE = 'opencode-plugin.js';

/** How long the plugin waits for the hook before it leaves the output as opencode made it. */
const HOOK_TIMEOUT_MS = 120_000;

/**
 * The source of the session's opencode plugin (an ES module opencode loads from the inline
 * config's `plugin` list). It remembers the user's latest prompt per opencode session
 * (`chat.message`), and after a bash call that opencode cut (`tool.execute.after` with
 * `metadata.outputPath`) it runs `command` with the call on stdin; an answer `{"output": …}`
 * replaces the output the model gets. Any failure leaves opencode's own output.
 */
export function opencodePluginSource(command: string): string {
  return `// headroom: big bash outputs compressed for the model, for this opencode run only.
import { spawn } from 'node:child_process';

const COMMAND = ${JSON.stringify(command)};
const prompts = new Map();

function runHook(call) {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['pipe', 'pipe', 'ignore'] });
    } catch {
      return resolve(undefined);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), ${HOOK_TIMEOUT_MS});
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', () => { clearTimeout(timer); resolve(undefined); });
    child.on('close', () => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out)); } catch { resolve(undefined); }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(call));
  });
}

export const HeadroomSourceCompression = async () => ({
  'chat.message': async (input, output) => {
    const parts = Array.isArray(output?.parts) ? output.parts : [];
    const texts = parts.filter((p) => p?.type === 'text' && !p.synthetic && typeof p.text === 'string').map((p) => p.text);
    if (texts.length > 0) prompts.set(input?.sessionID, texts.join('\\n'));
  },
  'tool.execute.after': async (input, output) => {
    const metadata = output?.metadata ?? {};
    if (input?.tool !== 'bash' || metadata.truncated !== true || typeof metadata.outputPath !== 'string') return;
    const answer = await runHook({
      tool: input.tool,
      args: input.args,
      output: output.output,
      metadata: { truncated: true, outputPath: metadata.outputPath },
      prompt: prompts.get(input.sessionID) ?? '',
    });
    if (answer && typeof answer.output === 'string') output.output = answer.output;
  },
});
`;
}
