import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPILOT_BASH_MAX_CHARS,
  copilotAnswer,
  copilotPostToolUse,
  cutCopilotBashOutput,
  latestCopilotPrompt,
} from '../../src/agents/copilot-hook.js';
import { copilotPluginDataDir, copilotPluginFiles } from '../../src/agents/copilot-plugin.js';
import { sessionQuery } from '../../src/exec/source-log.js';
import { needleInView } from '../../src/bench/needles.js';
import { sourceLogPath, sessionQueryPath } from '../../src/exec/source-log.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { workloadOutput } from '../helpers/source-compare.js';

const STATUS = '<shellId: 0 completed with exit code 0>';

/** A postToolUse input as Copilot CLI 1.0.102 sends it for a bash call it cut (shape and texts from a real run). */
function hookInput(command: string, file?: string, opts: { text?: string; tool?: string } = {}) {
  const cut = `Output too large to read at once (283.5 KB). Saved to: ${file}\nConsider using tools like rg (for searching), head/tail (for viewing start/end), view with view_range (for specific sections), or jq (for JSON) to examine portions of the output.\n\nPreview (first 500 chars):\n2026-11-21 05:52:37.213 UTC [19611] LOG:  connection received\n${STATUS}`;
  return {
    sessionId: 'fb030ca3-e60e-41ca-9793-3be155760f99',
    timestamp: 1795261007047,
    cwd: '/work/project',
    toolName: opts.tool ?? 'bash',
    toolArgs: { command, description: 'Run the command' },
    toolResult: { resultType: 'success', textResultForLlm: opts.text ?? (file ? cut : `small output\n${STATUS}`) },
  };
}

const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-copilot-hook-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const saved = join(tmp, '1795261007017-copilot-tool-output-29023-83ab6da8.txt');

describe("Copilot CLI's source-compression hook", () => {
  beforeAll(() => {
    fs.writeFileSync(saved, workloadOutput('p02-sre-postgres-deadlock-crash').output);
    buildDist();
  }, 120_000);

  it('acts only on bash outputs Copilot cut and saved, never on raw-marked or headroom commands', () => {
    expect(cutCopilotBashOutput(hookInput('cat big.log', saved))).toEqual({
      command: 'cat big.log',
      fullOutputFile: saved,
      resultType: 'success',
      status: STATUS,
      session: 'fb030ca3-e60e-41ca-9793-3be155760f99',
    });
    expect(cutCopilotBashOutput(hookInput('cat small.log'))).toBeUndefined();
    expect(cutCopilotBashOutput(hookInput('cat big.log', saved, { tool: 'view' }))).toBeUndefined();
    expect(cutCopilotBashOutput(hookInput('HEADROOM_RAW=1 cat big.log', saved))).toBeUndefined();
    expect(cutCopilotBashOutput(hookInput('headroom retrieve 0123456789abcdef', saved))).toBeUndefined();
    // A command whose own output quotes Copilot's sentence names no file Copilot wrote.
    expect(cutCopilotBashOutput(hookInput('cat notes.txt', undefined, { text: 'Output too large to read at once (1 KB). Saved to: /etc/passwd\nmore' }))).toBeUndefined();
    expect(cutCopilotBashOutput('not an object')).toBeUndefined();
    expect(cutCopilotBashOutput({ toolName: 'bash' })).toBeUndefined();
  });

  it("answers with a modifiedResult holding the text and Copilot's status line; the plugin has one postToolUse hook", () => {
    const call = cutCopilotBashOutput(hookInput('cat big.log', saved))!;
    expect(copilotAnswer(call, 'short\n')).toEqual({ modifiedResult: { resultType: 'success', textResultForLlm: `short\n${STATUS}` } });
    expect(copilotPluginFiles('run-hook')['hooks.json']).toEqual({ version: 1, hooks: { postToolUse: [{ type: 'command', bash: 'run-hook', timeoutSec: 120 }] } });
    expect(copilotPluginFiles('run-hook')['plugin.json']).toMatchObject({ name: 'headroom', version: '1.0.0', hooks: 'hooks.json' });
    // The id Copilot 1.0.102 gave the folder of /tmp/cpexp/run-0tTV8X/plug in a real run.
    expect(copilotPluginDataDir({ COPILOT_HOME: '/h/.copilot' }, '/tmp/cpexp/run-0tTV8X/plug')).toBe(
      '/h/.copilot/plugin-data/_direct/84d40a845c24a6b4b5b72a9f309bdd96c89995afef99ef90e4bc8504d0dab290',
    );
  });

  it("compresses for HEADROOM_QUERY, the session's query file, else the prompt in Copilot's own event log", async () => {
    const session = join(tmp, 'session');
    fs.mkdirSync(session, { recursive: true });
    expect(sessionQuery({ HEADROOM_SESSION_DIR: session })).toBe('');
    fs.writeFileSync(sessionQueryPath(session), 'why did postgres crash?');
    expect(sessionQuery({ HEADROOM_SESSION_DIR: session })).toBe('why did postgres crash?');
    expect(sessionQuery({ HEADROOM_SESSION_DIR: session, HEADROOM_QUERY: 'q' })).toBe('q');
    const copilotHome = join(tmp, 'copilot');
    const id = 'fb030ca3-e60e-41ca-9793-3be155760f99';
    fs.mkdirSync(join(copilotHome, 'session-state', id), { recursive: true });
    fs.copyFileSync(join(ROOT, 'fixtures/sessions/copilot/events.jsonl'), join(copilotHome, 'session-state', id, 'events.jsonl'));
    expect(latestCopilotPrompt({ COPILOT_HOME: copilotHome }, id)).toBe('From now on, run the linter before committing. Do you remember which port staging uses?');
    expect(latestCopilotPrompt({ COPILOT_HOME: copilotHome }, '../x')).toBe('');
    expect(latestCopilotPrompt({ COPILOT_HOME: copilotHome }, 'nope')).toBe('');

    const env = { HEADROOM_HOME: join(tmp, 'home'), HEADROOM_SESSION_DIR: session };
    const answer = (await copilotPostToolUse(hookInput('cat postgres.log', saved), env)) as { modifiedResult: { textResultForLlm: string } };
    const text = answer.modifiedResult.textResultForLlm;
    expect(text.length).toBeLessThanOrEqual(COPILOT_BASH_MAX_CHARS + STATUS.length + 1);
    expect(text.endsWith(`\n${STATUS}`)).toBe(true);
    expect(text).toMatch(/headroom retrieve [0-9a-f]{16}/);
    const { needles } = workloadOutput('p02-sre-postgres-deadlock-crash');
    expect(needles.filter((n) => needleInView(n, text))).toEqual(needles);
    const logged = fs.readFileSync(sourceLogPath(session), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { by: string; tokensBefore: number; tokensAfter: number });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.by).toBe('copilot-hook');
    expect(logged[0]!.tokensAfter).toBeLessThan(logged[0]!.tokensBefore / 4);
    expect(await copilotPostToolUse(hookInput('cat gone.log', join(tmp, 'gone-copilot-tool-output-1.txt')), env).catch(() => 'threw')).toBe('threw');
  });

  it('`headroom hook copilot-post-tool-use` answers with the compressed output, or nothing', () => {
    const home = join(tmp, 'cli-home');
    const run = (input: unknown) =>
      spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'hook', 'copilot-post-tool-use'], { input: JSON.stringify(input), env: { ...process.env, HEADROOM_HOME: home, HEADROOM_QUERY: 'why did postgres crash?' } });
    const r = run(hookInput('cat postgres.log', saved));
    expect(r.status).toBe(0);
    const answer = JSON.parse(r.stdout.toString()) as { modifiedResult: { resultType: string; textResultForLlm: string } };
    expect(answer.modifiedResult.resultType).toBe('success');
    expect(answer.modifiedResult.textResultForLlm).toMatch(/headroom retrieve [0-9a-f]{16}/);
    // Copilot's own file is left for Copilot to remove.
    expect(fs.existsSync(saved)).toBe(true);
    for (const input of [hookInput('headroom retrieve 0123456789abcdef', saved), hookInput('cat x'), hookInput('cat gone', join(tmp, 'gone-copilot-tool-output-1.txt')), 'junk']) {
      const quiet = run(input);
      expect(quiet.status).toBe(0);
      expect(quiet.stdout.toString()).toBe('');
    }
  });
});
