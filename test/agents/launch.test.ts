import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, agentNamed, LaunchError } from '../../src/agents/index.js';
import { upstreamFromBaseUrl } from '../../src/agents/env.js';

const proxyUrl = 'http://127.0.0.1:4321';
const sessionDir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-launch-'));
afterAll(() => fs.rmSync(sessionDir, { recursive: true, force: true }));
const launch = (name: string, env: Record<string, string> = {}, args: string[] = ['--flag', 'x']) => agentNamed(name)!.launch({ proxyUrl, args, env, interactive: false });
const upstreams = (name: string, env: Record<string, string>) => agentNamed(name)!.upstreams(env);

describe('agent launch', () => {
  it('every agent names its binary, install command and instruction file', () => {
    for (const a of AGENTS) {
      expect(a.binary).toMatch(/^[a-z]+$/);
      expect(a.install).toMatch(/install/);
      expect(a.instructionFiles.length).toBeGreaterThan(0);
    }
  });

  it('Claude Code: ANTHROPIC_BASE_URL is the proxy; a base URL the user had set becomes the upstream', () => {
    expect(launch('claude')).toEqual({ args: ['--flag', 'x'], env: { ANTHROPIC_BASE_URL: proxyUrl } });
    expect(upstreams('claude', {})).toEqual({ anthropic: undefined });
    expect(upstreams('claude', { ANTHROPIC_BASE_URL: 'https://gw.example.com/anthropic/' })).toEqual({ anthropic: 'https://gw.example.com/anthropic' });
  });

  it('Codex: a provider defined by -c overrides before the user arguments, keyed by OPENAI_API_KEY', () => {
    const l = launch('codex', { OPENAI_API_KEY: 'sk-x' }, ['exec', 'hi']);
    expect(l.args.slice(0, 4)).toEqual(['-c', 'model_provider="headroom"', '-c', `model_providers.headroom={name="headroom", base_url="${proxyUrl}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=true}`]);
    // Embedded mode asked for, so Codex does not warn that -c keeps it off its shared background server.
    expect(l.args.slice(4)).toEqual(['--no-daemon', 'exec', 'hi']);
    expect(launch('codex', { OPENAI_API_KEY: 'sk-x' }, ['--no-daemon', 'hi']).args.slice(4)).toEqual(['--no-daemon', 'hi']);
    expect(l.env).toEqual({});
    expect(() => launch('codex')).toThrow(LaunchError);
    expect(() => launch('codex')).toThrow(/OPENAI_API_KEY/);
  });

  it('Codex: the source hook (a trusted PreToolUse hook and its launcher) only where Codex asks about nothing and runs unsandboxed', () => {
    const sourceHook = { dir: sessionDir, command: (event: string) => `run-hook ${event}` };
    const codexLaunch = (args: string[]) => agentNamed('codex')!.launch({ proxyUrl, args, env: { OPENAI_API_KEY: 'sk-x' }, interactive: false, sourceHook });
    const l = codexLaunch(['exec', '-s', 'danger-full-access', 'hi']);
    expect(l.sourceHook).toEqual({ installed: true });
    const launcher = join(sessionDir, 'codex-headroom');
    const hook = `HEADROOM_CODEX_LAUNCHER='${launcher}' run-hook codex-pre-tool-use`;
    expect(l.args.slice(4, 8)).toEqual(['-c', `hooks.PreToolUse=[{matcher="Bash",hooks=[{type="command",command=${JSON.stringify(hook)},timeout=30}]}]`, '-c', expect.stringMatching(/^hooks\.state=\{"\/<session-flags>\/config\.toml:pre_tool_use:0:0"=\{trusted_hash="sha256:[0-9a-f]{64}"\}\}$/)]);
    expect(l.args.slice(8)).toEqual(['--no-daemon', 'exec', '-s', 'danger-full-access', 'hi']);
    expect(fs.readFileSync(launcher, 'utf8')).toMatch(/^#!\/bin\/sh\nHEADROOM_EXEC_MAX_CHARS=\d+ HEADROOM_EXEC_ATTACH_TTY=1 exec /);
    for (const args of [['hi'], ['exec', 'hi'], ['-a', 'on-request', '-s', 'danger-full-access']]) {
      const refused = codexLaunch(args);
      expect(refused.sourceHook).toMatchObject({ installed: false, why: expect.any(String) });
      expect(refused.args.some((a) => a.startsWith('hooks.'))).toBe(false);
    }
  });

  it('Copilot CLI: only bring-your-own-key mode, OpenAI or Anthropic', () => {
    expect(() => launch('copilot')).toThrow(/cannot proxy[\s\S]*COPILOT_PROVIDER_BASE_URL/);
    const openaiEnv = { COPILOT_PROVIDER_BASE_URL: 'https://api.openai.com/v1' };
    expect(launch('copilot', openaiEnv).env).toEqual({ COPILOT_PROVIDER_BASE_URL: `${proxyUrl}/v1` });
    expect(upstreams('copilot', openaiEnv)).toEqual({ openai: 'https://api.openai.com' });
    const anthropicEnv = { COPILOT_PROVIDER_BASE_URL: 'https://api.anthropic.com', COPILOT_PROVIDER_TYPE: 'anthropic' };
    expect(launch('copilot', anthropicEnv).env).toEqual({ COPILOT_PROVIDER_BASE_URL: proxyUrl });
    expect(upstreams('copilot', anthropicEnv)).toEqual({ anthropic: 'https://api.anthropic.com' });
    expect(() => launch('copilot', { COPILOT_PROVIDER_BASE_URL: 'https://x.openai.azure.com', COPILOT_PROVIDER_TYPE: 'azure' })).toThrow(/azure/);
  });

  it('Gemini CLI: API-key auth only, GOOGLE_GEMINI_BASE_URL is the proxy; prompt mode needs the API-key auth type selected', () => {
    expect(() => launch('gemini')).toThrow(/GEMINI_API_KEY/);
    const home = join(sessionDir, 'home');
    const settings = join(home, '.gemini', 'settings.json');
    const env = { GEMINI_API_KEY: 'k', HOME: home };
    // No settings file: nothing selected.
    expect(() => launch('gemini', env)).toThrow(/selectedType[\s\S]*settings\.json/);
    expect(agentNamed('gemini')!.launch({ proxyUrl, args: [], env, interactive: true }).env).toEqual({ GOOGLE_GEMINI_BASE_URL: proxyUrl });
    fs.mkdirSync(join(home, '.gemini'), { recursive: true });
    fs.writeFileSync(settings, '// mine\n{ "security": { "auth": { "selectedType": "oauth-personal" } } }');
    expect(() => launch('gemini', env)).toThrow(/gemini-api-key/);
    fs.writeFileSync(settings, '{ "ui": {}, "security": { "auth": { "selectedType": "gemini-api-key" } } }');
    expect(launch('gemini', env).env).toEqual({ GOOGLE_GEMINI_BASE_URL: proxyUrl });
    // Saved by an editor that starts files with a UTF-8 byte order mark: still read.
    fs.writeFileSync(settings, '\uFEFF{ "security": { "auth": { "selectedType": "oauth-personal" } } }');
    expect(() => launch('gemini', env)).toThrow(/gemini-api-key/);
    // A file it cannot read is left to Gemini CLI to judge.
    fs.writeFileSync(settings, '{ "security": /* block comment */ {} }');
    expect(launch('gemini', env).env).toEqual({ GOOGLE_GEMINI_BASE_URL: proxyUrl });
    expect(upstreams('gemini', { GOOGLE_GEMINI_BASE_URL: 'https://g.example.com' })).toEqual({ gemini: 'https://g.example.com' });
  });

  it('Aider: litellm base URLs for OpenAI and Anthropic', () => {
    const env = { OPENAI_API_BASE: 'https://openrouter.ai/api/v1' };
    expect(launch('aider', env).env).toEqual({ OPENAI_API_BASE: `${proxyUrl}/v1`, ANTHROPIC_API_BASE: proxyUrl, ANTHROPIC_BASE_URL: proxyUrl });
    expect(upstreams('aider', env)).toEqual({ openai: 'https://openrouter.ai/api', anthropic: undefined });
  });

  it('turns a user base URL into an upstream', () => {
    expect(upstreamFromBaseUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com');
    expect(upstreamFromBaseUrl('http://localhost:8000')).toBe('http://localhost:8000');
    expect(upstreamFromBaseUrl('not a url')).toBeUndefined();
    expect(upstreamFromBaseUrl(undefined)).toBeUndefined();
  });

  it('Copilot CLI: the source hook is a plugin folder for this run, next to any the user passes', () => {
    const env = { COPILOT_PROVIDER_BASE_URL: 'https://api.openai.com/v1' };
    const sourceHook = { dir: sessionDir, command: (event: string) => `run-hook ${event}` };
    const l = agentNamed('copilot')!.launch({ proxyUrl, args: ['--plugin-dir', '/mine', '-p', 'hi'], env, interactive: false, sourceHook });
    const dir = join(sessionDir, 'copilot-plugin');
    expect(l.args).toEqual(['--plugin-dir', dir, '--plugin-dir', '/mine', '-p', 'hi']);
    expect(l.env).toEqual({ COPILOT_PROVIDER_BASE_URL: `${proxyUrl}/v1` });
    expect(l.sourceHook).toEqual({ installed: true });
    expect(JSON.parse(fs.readFileSync(join(dir, 'plugin.json'), 'utf8'))).toMatchObject({ name: 'headroom', hooks: 'hooks.json' });
    expect(JSON.parse(fs.readFileSync(join(dir, 'hooks.json'), 'utf8'))).toEqual({ version: 1, hooks: { postToolUse: [{ type: 'command', bash: 'run-hook copilot-post-tool-use', timeoutSec: 120 }] } });
    expect(launch('copilot', env).args).toEqual(['--flag', 'x']);
  });
});
