import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexHookRefusal, codexRunMode } from '../../src/agents/codex-args.js';
import { codexLauncherScript, codexPreToolUse, codexRulesFiles, codexShellCall, CODEX_EXEC_MAX_CHARS, rewriteCommand, rulesSayNothing } from '../../src/agents/codex-hook.js';
import { simpleCommands } from '../../src/agents/shell-commands.js';
import { agentBin } from '../helpers/agent-bin.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { workloadOutput } from '../helpers/source-compare.js';

const tmp = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-hook-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A PreToolUse input as Codex 0.169 sends it for exec_command (captured from a real run). */
function hookInput(command: string, permissionMode = 'bypassPermissions', cwd = tmp) {
  return {
    session_id: '01a1fde5-2964-7430-b8d6-6c41eacccaa0',
    turn_id: '01a1fde5-2983-76e0-a41a-ecd64c3e0a71',
    transcript_path: null,
    cwd,
    hook_event_name: 'PreToolUse',
    model: 'gpt-fake',
    permission_mode: permissionMode,
    tool_name: 'Bash',
    tool_input: { command },
    tool_use_id: 'call_fake_001_0',
  };
}

const LAUNCHER = '/tmp/session dir/codex-headroom';

describe('reading a shell line into simple commands', () => {
  it.each([
    ['cat a.log | grep -n x > out.txt 2>&1', [['cat', 'a.log'], ['grep', '-n', 'x']]],
    ['FOO=1 make test && npm run "build all"; echo done', [['FOO=1', 'make', 'test'], ['npm', 'run', 'build all'], ['echo', 'done']]],
    ['if true; then touch x; fi', [['true'], ['touch', 'x']]],
    ["(cd sub && ls -la) || echo 'it''s'", [['cd', 'sub'], ['ls', '-la'], ['echo', 'its']]],
    ['for f in *.log; do wc -l "$f"; done', [['f', 'in', '*.log'], ['wc', '-l', '$f']]],
    ['git diff &> all.diff\n/bin/cat all.diff # comment', [['git', 'diff'], ['/bin/cat', 'all.diff']]],
  ])('%s', (script, commands) => {
    expect(simpleCommands(script)).toEqual(commands);
  });

  it('gives up on what it cannot follow for certain', () => {
    for (const script of ['echo $(cat x)', 'echo `id`', 'cat <<EOF\nx\nEOF', 'diff <(ls a) <(ls b)', 'echo "open', "echo 'open"]) {
      expect(simpleCommands(script), script).toBeUndefined();
    }
  });
});

describe('when the Codex hook is installed', () => {
  it('reads approval and sandbox from the command line', () => {
    expect(codexRunMode(['exec', '-s', 'danger-full-access', '--', 'fix it'])).toMatchObject({ exec: true, sandbox: 'danger-full-access' });
    expect(codexRunMode(['-a', 'never', '--sandbox=workspace-write', 'fix it'])).toMatchObject({ exec: false, approval: 'never', sandbox: 'workspace-write' });
    expect(codexRunMode(['-c', 'approval_policy="never"', '-csandbox_mode=danger-full-access', 'exec is a word here'])).toMatchObject({ exec: false, approval: 'never', sandbox: 'danger-full-access' });
    expect(codexRunMode(['-m', 'exec', 'hi']).exec).toBe(false);
  });

  it('only where Codex asks about nothing and headroom can keep whole outputs', () => {
    expect(codexHookRefusal(['exec', '-s', 'danger-full-access', 'go'])).toBeUndefined();
    expect(codexHookRefusal(['exec', '--dangerously-bypass-approvals-and-sandbox', 'go'])).toBeUndefined();
    expect(codexHookRefusal(['exec', '-a', 'never', '-s', 'danger-full-access', 'go'])).toBeUndefined();
    // Interactive Codex shows each command it runs: no rewrite there, whatever the approvals.
    expect(codexHookRefusal([])).toMatch(/interactive Codex/);
    expect(codexHookRefusal(['--dangerously-bypass-approvals-and-sandbox'])).toMatch(/interactive Codex/);
    expect(codexHookRefusal(['-a', 'never', '-s', 'danger-full-access'])).toMatch(/interactive Codex/);
    expect(codexHookRefusal(['exec', '-a', 'on-request', '-s', 'danger-full-access'])).toMatch(/ask you/);
    expect(codexHookRefusal(['exec', 'go'])).toMatch(/sandbox/);
    expect(codexHookRefusal(['exec', '-s', 'workspace-write', 'go'])).toMatch(/sandbox/);
    expect(codexHookRefusal(['exec', '--approve-for-me', '-s', 'danger-full-access'])).toMatch(/approve-for-me/);
    expect(codexHookRefusal(['exec', '-s', 'danger-full-access', '-c', 'hooks.PreToolUse=[]'])).toMatch(/own hooks/);
  });
});

describe("Codex's PreToolUse hook", () => {
  const env = { HEADROOM_CODEX_LAUNCHER: LAUNCHER, CODEX_HOME: join(tmp, 'codex-home'), PATH: '' };

  it('reads the shell call of a PreToolUse input', () => {
    expect(codexShellCall(hookInput('npm test'))).toEqual({ command: 'npm test', permissionMode: 'bypassPermissions', cwd: tmp });
    expect(codexShellCall({ ...hookInput('npm test'), tool_name: 'apply_patch' })).toBeUndefined();
    expect(codexShellCall({ ...hookInput('npm test'), hook_event_name: 'PostToolUse' })).toBeUndefined();
    expect(codexShellCall('nope')).toBeUndefined();
  });

  it('answers allow with the command run through headroom exec, quoted whole', async () => {
    const answer = await codexPreToolUse(hookInput("grep -n 'it''s' a.log > hits.txt"), env);
    expect(answer).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', updatedInput: { command: `'${LAUNCHER}' exec -- 'grep -n '\\''it'\\'''\\''s'\\'' a.log > hits.txt'` } },
    });
  });

  it('leaves everything alone unless Codex asks about nothing, and never touches rm, raw-marked or wrapped commands', async () => {
    expect(await codexPreToolUse(hookInput('npm test', 'default'), env)).toBeUndefined();
    expect(await codexPreToolUse(hookInput('npm test'), { ...env, HEADROOM_CODEX_LAUNCHER: '' })).toBeUndefined();
    for (const command of ['rm -rf build && npm test', 'sudo /bin/rm -f x', 'echo "$(rm -f x)"', 'HEADROOM_RAW=1 cat big.log', 'npx headroom exec -- npm test']) {
      expect(await codexPreToolUse(hookInput(command), env), command).toBeUndefined();
    }
    // headroom's own commands get this session's launcher (Codex's login shell resets PATH).
    expect(rewriteCommand('headroom retrieve 0123456789abcdef --query "x"', LAUNCHER)).toBe(`'${LAUNCHER}' retrieve 0123456789abcdef --query "x"`);
  });

  it("checks the original against the user's execpolicy rules with the real `codex execpolicy check`", () => {
    const rulesDir = join(env.CODEX_HOME, 'rules');
    fs.mkdirSync(rulesDir, { recursive: true });
    fs.writeFileSync(join(rulesDir, 'default.rules'), 'prefix_rule(pattern=["cat"], decision="forbidden")\nprefix_rule(pattern=["git", "push"], decision="prompt")\n');
    const project = join(tmp, 'repo', 'sub');
    fs.mkdirSync(join(tmp, 'repo', '.codex', 'rules'), { recursive: true });
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(join(tmp, 'repo', '.codex', 'rules', 'team.rules'), 'prefix_rule(pattern=["make", "deploy"], decision="forbidden")\n');
    const files = codexRulesFiles(env, project);
    expect(files).toEqual(expect.arrayContaining([join(rulesDir, 'default.rules'), join(tmp, 'repo', '.codex', 'rules', 'team.rules')]));
    const withCodex = { ...env, PATH: `${dirname(agentBin('codex'))}:${process.env.PATH}` };
    for (const command of ['cat a.log', 'grep x a.log | cat -n', 'X=1 cat a.log', '/bin/cat a.log', 'if true; then cat a; fi', 'git push origin main', 'make deploy', 'echo $(ls)']) {
      expect(rulesSayNothing(command, files, withCodex), command).toBe(false);
    }
    for (const command of ['grep -n x a.log', 'git status && make test', 'npm test > out.txt']) {
      expect(rulesSayNothing(command, files, withCodex), command).toBe(true);
    }
    // Rules it cannot check (no codex on PATH) count as a match; no rules at all need no check.
    expect(rulesSayNothing('grep x a.log', files, env)).toBe(false);
    expect(rulesSayNothing('echo $(ls)', [], env)).toBe(true);
  });
});

describe('a rewritten command run by a shell as Codex runs it', () => {
  let launcher: string;
  let home: string;
  let work: string;
  beforeAll(() => {
    buildDist();
    launcher = join(tmp, 'codex-headroom');
    fs.writeFileSync(launcher, codexLauncherScript(process.execPath, join(ROOT, 'dist/cli.js')), { mode: 0o700 });
    home = fs.mkdtempSync(join(tmp, 'home-'));
    work = fs.mkdtempSync(join(tmp, 'work-'));
    fs.mkdirSync(join(work, 'sub'));
    fs.writeFileSync(join(work, 'sub', 'big.log'), workloadOutput('p02-sre-postgres-deadlock-crash').output);
  }, 120_000);

  const run = (command: string, headroomHome = home) => {
    const rewritten = rewriteCommand(command, launcher)!;
    const r = spawnSync('bash', ['-c', rewritten], { cwd: work, env: { ...process.env, HEADROOM_HOME: headroomHome, HEADROOM_QUERY: 'deadlock' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, out: r.stdout };
  };

  it('keeps the working directory, cd, redirections (the whole file), quotes and the exit code', () => {
    const r = run(`cd sub && seq 1 100000 > all.txt && printf '%s|' "a b" 'c'"'"'d' && exit 3`);
    expect(r.code).toBe(3);
    expect(r.out).toBe("a b|c'd|");
    expect(fs.readFileSync(join(work, 'sub', 'all.txt'), 'utf8').split('\n')).toHaveLength(100_001);
  });

  it("prints a big output compressed under Codex's cut, with the retrieval note", () => {
    const r = run('cat sub/big.log');
    expect(r.code).toBe(0);
    expect(r.out.length).toBeLessThanOrEqual(CODEX_EXEC_MAX_CHARS);
    expect(r.out).toMatch(/headroom retrieve [0-9a-f]{16}/);
    expect(r.out).toMatch(/deadlock detected/);
  });

  it('prints the whole output when headroom cannot write its store (a sandbox): nothing is lost', () => {
    const blocked = join(tmp, 'not-a-dir');
    fs.writeFileSync(blocked, '');
    const r = run('cat sub/big.log; exit 4', join(blocked, 'home'));
    expect(r.code).toBe(4);
    expect(r.out).toBe(fs.readFileSync(join(work, 'sub', 'big.log'), 'utf8'));
  });
});
