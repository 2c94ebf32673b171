import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutBashOutput, latestClaudePrompt, leaveAlone, replacedOutput } from '../../src/agents/claude-hook.js';
import { claudeHookSettings } from '../../src/agents/claude-settings.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { workloadOutput } from '../helpers/source-compare.js';

const SESSION = join(ROOT, 'fixtures/sessions/claude/session.jsonl');

function hookInput(command: string, persisted?: string, stdout = 'preview') {
  return {
    session_id: 's1',
    transcript_path: SESSION,
    hook_event_name: 'PostToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'd' },
    tool_response: { stdout, stderr: '', interrupted: false, isImage: false, ...(persisted ? { persistedOutputPath: persisted, persistedOutputSize: 1 } : {}) },
  };
}

describe("Claude Code's source-compression hook", () => {
  beforeAll(() => buildDist(), 120_000);

  it('acts only on Bash outputs Claude Code cut, and never on raw-marked or headroom commands', () => {
    expect(cutBashOutput(hookInput('cat big.log', '/tmp/x'))?.fullOutputFile).toBe('/tmp/x');
    expect(cutBashOutput(hookInput('cat small.log'))).toBeUndefined();
    expect(cutBashOutput({ ...hookInput('cat big.log', '/tmp/x'), tool_name: 'Read' })).toBeUndefined();
    expect(cutBashOutput('not an object')).toBeUndefined();
    expect(leaveAlone('HEADROOM_RAW=1 cat big.log')).toBe(true);
    expect(leaveAlone('headroom retrieve 0123456789abcdef')).toBe(true);
    expect(leaveAlone('npm test')).toBe(false);
  });

  it('replaces stdout and drops the cut-output fields; the settings name one PostToolUse hook on Bash', () => {
    const out = replacedOutput(cutBashOutput(hookInput('cat big.log', '/tmp/x'))!, 'short') as { hookSpecificOutput: { updatedToolOutput: Record<string, unknown> } };
    expect(out.hookSpecificOutput.updatedToolOutput).toEqual({ stdout: 'short', stderr: '', interrupted: false, isImage: false });
    expect(claudeHookSettings('run-hook')).toEqual({ hooks: { PostToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'run-hook', timeout: 120 }] }] } });
  });

  it('reads the latest prompt from a real transcript', () => {
    expect(latestClaudePrompt(SESSION)).toBe('Keep in mind that @notes.txt lists the staging hosts. Summarise it.');
    expect(latestClaudePrompt('/nonexistent')).toBe('');
  });

  it('`headroom hook claude-post-tool-use` answers with the compressed output, or nothing', () => {
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-hook-'));
    try {
      const file = join(home, 'persisted.txt');
      fs.writeFileSync(file, workloadOutput('p02-sre-postgres-deadlock-crash').output);
      const run = (input: unknown) =>
        spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'hook', 'claude-post-tool-use'], { input: JSON.stringify(input), env: { ...process.env, HEADROOM_HOME: home } });
      const r = run(hookInput('cat postgres.log', file));
      expect(r.status).toBe(0);
      const answer = JSON.parse(r.stdout.toString()) as { hookSpecificOutput: { hookEventName: string; updatedToolOutput: { stdout: string } } };
      expect(answer.hookSpecificOutput.hookEventName).toBe('PostToolUse');
      expect(answer.hookSpecificOutput.updatedToolOutput.stdout).toMatch(/headroom retrieve [0-9a-f]{16}/);
      expect(fs.existsSync(file)).toBe(true);
      for (const input of [hookInput('headroom retrieve 0123456789abcdef', file), hookInput('cat x'), 'junk']) {
        const quiet = run(input);
        expect(quiet.status).toBe(0);
        expect(quiet.stdout.toString()).toBe('');
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
