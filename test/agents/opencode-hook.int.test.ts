import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutOpencodeBashOutput, OPENCODE_BASH_MAX_CHARS, opencodeAnswer, opencodeToolExecuteAfter } from '../../src/agents/opencode-hook.js';
import { opencodePluginSource } from '../../src/agents/opencode-plugin.js';
import { needleInView } from '../../src/bench/needles.js';
import { sessionQueryPath, sourceLogPath } from '../../src/exec/source-log.js';
import { shellQuote } from '../../src/agents/shell-commands.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { workloadOutput } from '../helpers/source-compare.js';

const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-opencode-hook-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
// Where opencode 1.18.33 saves a cut output: <data>/opencode/tool-output/tool_<id>.
const saved = join(tmp, 'opencode', 'tool-output', 'tool_24ee9807b001lAXLAN0cHNLcuz');
const NOTES = '<shell_metadata>\nshell tool terminated command after exceeding timeout 120000 ms. If this command is expected to take longer and is not waiting for interactive input, retry with a larger timeout value in milliseconds.\n</shell_metadata>';

/** What headroom's plugin sends for a bash call, from opencode's `tool.execute.after` (shapes from a real run). */
function pluginInput(command: string, file?: string, opts: { tool?: string; notes?: boolean; prompt?: string } = {}) {
  const tail = '2026-11-21 05:59:58.003 UTC [19611] LOG:  database system is ready to accept connections\n';
  const output = file ? `...output truncated...\n\nFull output saved to: ${file}\n\n${tail}` : tail;
  return {
    tool: opts.tool ?? 'bash',
    args: { command, description: 'Run the command' },
    output: opts.notes ? `${output}\n\n${NOTES}` : output,
    metadata: file ? { truncated: true, outputPath: file } : { truncated: false },
    prompt: opts.prompt ?? 'why did postgres crash?',
  };
}

beforeAll(() => {
  fs.mkdirSync(join(tmp, 'opencode', 'tool-output'), { recursive: true });
  fs.writeFileSync(saved, workloadOutput('p02-sre-postgres-deadlock-crash').output);
  buildDist();
}, 120_000);

describe("opencode's source-compression hook", () => {
  it('acts only on bash outputs opencode cut and saved in its tool-output folder, never on raw-marked or headroom commands', () => {
    expect(cutOpencodeBashOutput(pluginInput('cat big.log', saved))).toEqual({ command: 'cat big.log', fullOutputFile: saved, prompt: 'why did postgres crash?' });
    expect(cutOpencodeBashOutput(pluginInput('cat big.log', saved, { notes: true }))).toMatchObject({ notes: NOTES });
    expect(cutOpencodeBashOutput(pluginInput('cat small.log'))).toBeUndefined();
    expect(cutOpencodeBashOutput(pluginInput('cat big.log', saved, { tool: 'read' }))).toBeUndefined();
    expect(cutOpencodeBashOutput(pluginInput('HEADROOM_RAW=1 cat big.log', saved))).toBeUndefined();
    expect(cutOpencodeBashOutput(pluginInput('headroom retrieve 0123456789abcdef', saved))).toBeUndefined();
    expect(cutOpencodeBashOutput(pluginInput('cat x', '/etc/passwd'))).toBeUndefined();
    expect(cutOpencodeBashOutput('not an object')).toBeUndefined();
    expect(cutOpencodeBashOutput({ tool: 'bash' })).toBeUndefined();
  });

  it("answers with the text as the output, opencode's notes after it", () => {
    const call = cutOpencodeBashOutput(pluginInput('cat big.log', saved, { notes: true }))!;
    expect(opencodeAnswer(call, 'short\n')).toEqual({ output: `short\n\n${NOTES}` });
    expect(opencodeAnswer(cutOpencodeBashOutput(pluginInput('cat big.log', saved))!, 'short\n')).toEqual({ output: 'short\n' });
  });

  it("compresses for the session's query, else the prompt the plugin saw, and counts the saving", async () => {
    const session = join(tmp, 'session');
    fs.mkdirSync(session, { recursive: true });
    const env = { HEADROOM_HOME: join(tmp, 'home'), HEADROOM_SESSION_DIR: session };
    const first = (await opencodeToolExecuteAfter(pluginInput('cat postgres.log', saved, { prompt: 'what deadlocked?' }), env)) as { output: string };
    expect(first.output).toContain('--query "what deadlocked?"');
    fs.writeFileSync(sessionQueryPath(session), 'why did postgres crash?');
    const { output } = (await opencodeToolExecuteAfter(pluginInput('cat postgres.log', saved, { prompt: 'what deadlocked?' }), env)) as { output: string };
    expect(output).toContain('--query "why did postgres crash?"');
    expect(output.length).toBeLessThanOrEqual(OPENCODE_BASH_MAX_CHARS);
    const { needles } = workloadOutput('p02-sre-postgres-deadlock-crash');
    expect(needles.filter((n) => needleInView(n, output))).toEqual(needles);
    const logged = fs.readFileSync(sourceLogPath(session), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { by: string; tokensBefore: number; tokensAfter: number });
    expect(logged.map((l) => l.by)).toEqual(['opencode-hook', 'opencode-hook']);
    expect(logged[1]!.tokensAfter).toBeLessThan(logged[1]!.tokensBefore / 4);
    const gone = join(tmp, 'opencode', 'tool-output', 'tool_gone');
    expect(await opencodeToolExecuteAfter(pluginInput('cat gone.log', gone), env).catch(() => 'threw')).toBe('threw');
  });

  it('the plugin replaces a cut bash output with the answer of `headroom hook opencode-tool-execute-after`, and leaves everything else', async () => {
    const home = join(tmp, 'plugin-home');
    const command = `HEADROOM_HOME=${shellQuote(home)} ${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'dist/cli.js'))} hook opencode-tool-execute-after`;
    const file = join(tmp, 'plugin.mjs');
    fs.writeFileSync(file, opencodePluginSource(command));
    const mod = (await import(pathToFileURL(file).href)) as Record<string, () => Promise<Record<string, (input: unknown, output: unknown) => Promise<void>>>>;
    expect(Object.keys(mod)).toEqual(['HeadroomSourceCompression']);
    const hooks = await mod.HeadroomSourceCompression!();
    // The user's prompt, as opencode hands it to plugins; its own synthetic parts are not the user's.
    await hooks['chat.message']!({ sessionID: 'ses_1' }, { message: {}, parts: [{ type: 'text', text: 'what deadlocked?' }, { type: 'text', text: 'injected', synthetic: true }] });
    const call = pluginInput('cat postgres.log', saved);
    const cut = { title: 'cat postgres.log', output: call.output, metadata: { ...call.metadata, output: 'preview', exit: 0 } };
    await hooks['tool.execute.after']!({ tool: 'bash', sessionID: 'ses_1', callID: 'toolu_1', args: call.args }, cut);
    expect(cut.output).toMatch(/headroom retrieve [0-9a-f]{16} \(add --query "what deadlocked\?"/);
    expect(cut.metadata).toEqual({ truncated: true, outputPath: saved, output: 'preview', exit: 0 });
    for (const [input, output] of [
      [{ tool: 'bash', sessionID: 'ses_1', args: { command: 'ls' } }, { output: 'a\nb\n', metadata: { truncated: false, exit: 0 } }],
      [{ tool: 'read', sessionID: 'ses_1', args: { filePath: saved } }, { output: call.output, metadata: { truncated: true, outputPath: saved } }],
      [{ tool: 'bash', sessionID: 'ses_1', args: { command: 'headroom retrieve 0123456789abcdef' } }, { output: call.output, metadata: { truncated: true, outputPath: saved } }],
    ] as const) {
      const before = JSON.stringify(output);
      await hooks['tool.execute.after']!(input, output);
      expect(JSON.stringify(output)).toBe(before);
    }
    // A hook that fails leaves opencode's output.
    const broken = (await import(`${pathToFileURL(writeBroken()).href}`)) as typeof mod;
    const brokenCut = { output: call.output, metadata: { truncated: true, outputPath: saved } };
    await (await broken.HeadroomSourceCompression!())['tool.execute.after']!({ tool: 'bash', sessionID: 's', args: call.args }, brokenCut);
    expect(brokenCut.output).toBe(call.output);
  });

  it('`headroom hook opencode-tool-execute-after` answers with the compressed output, or nothing', () => {
    const home = join(tmp, 'cli-home');
    const run = (input: unknown) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'hook', 'opencode-tool-execute-after'], { input: JSON.stringify(input), env: { ...process.env, HEADROOM_HOME: home, HEADROOM_QUERY: 'why did postgres crash?' } });
    const r = run(pluginInput('cat postgres.log', saved));
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout.toString()) as { output: string }).output).toMatch(/headroom retrieve [0-9a-f]{16}/);
    // opencode's own file is left for opencode to remove.
    expect(fs.existsSync(saved)).toBe(true);
    for (const input of [pluginInput('headroom retrieve 0123456789abcdef', saved), pluginInput('cat x'), pluginInput('cat gone', join(tmp, 'opencode', 'tool-output', 'tool_gone')), 'junk']) {
      const quiet = run(input);
      expect(quiet.status).toBe(0);
      expect(quiet.stdout.toString()).toBe('');
    }
  });
});

/** The plugin with a hook command that fails. */
function writeBroken(): string {
  const file = join(tmp, 'broken-plugin.mjs');
  fs.writeFileSync(file, opencodePluginSource('echo not-json; exit 3'));
  return file;
}
