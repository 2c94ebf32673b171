import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentNamed, agentOf, isMainConversation, LaunchError, sessionFromHeaders } from '../../src/agents/index.js';

const proxyUrl = 'http://127.0.0.1:4321';
const opencode = agentNamed('opencode')!;
const launch = (env: Record<string, string> = {}) => opencode.launch({ proxyUrl, args: ['run', 'hi'], env, interactive: false });
const inline = (env: Record<string, string> = {}) => JSON.parse(launch(env).env.OPENCODE_CONFIG_CONTENT!) as Record<string, unknown>;
const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-opencode-launch-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// Headers of a real opencode 1.18.33 request (captured from the CLI against the fake upstream).
const REAL_HEADERS = {
  'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.46 runtime/bun/1.3.14',
  'x-session-affinity': 'ses_db1bfb55effe08fwpG1H2CrOXo',
  'x-session-id': 'ses_db1bfb55effe08fwpG1H2CrOXo',
  'anthropic-version': '2023-06-01',
};

describe('opencode launch', () => {
  it('routes its anthropic and openai providers to the proxy with an inline config, the arguments as given', () => {
    const l = launch();
    expect(l.args).toEqual(['run', 'hi']);
    expect(Object.keys(l.env)).toEqual(['OPENCODE_CONFIG_CONTENT']);
    expect(inline()).toEqual({
      provider: { anthropic: { options: { baseURL: `${proxyUrl}/v1` } }, openai: { options: { baseURL: `${proxyUrl}/v1` } } },
    });
  });

  it("keeps the user's own inline config, replacing only the routed base URLs", () => {
    const user = {
      model: 'anthropic/claude-opus-4-5',
      provider: { anthropic: { options: { baseURL: 'https://gw.example.com/v1', timeout: 5 }, models: { x: {} } }, ollama: { npm: '@ai-sdk/openai-compatible' } },
    };
    expect(inline({ OPENCODE_CONFIG_CONTENT: JSON.stringify(user) })).toEqual({
      model: 'anthropic/claude-opus-4-5',
      provider: {
        anthropic: { options: { baseURL: `${proxyUrl}/v1`, timeout: 5 }, models: { x: {} } },
        ollama: { npm: '@ai-sdk/openai-compatible' },
        openai: { options: { baseURL: `${proxyUrl}/v1` } },
      },
    });
  });

  it("the source hook: a plugin file in the session folder, added after the user's own plugins in the inline config", () => {
    const sessionDir = join(home, 'session');
    fs.mkdirSync(sessionDir, { recursive: true });
    const sourceHook = { dir: sessionDir, command: (event: string) => `run-hook ${event}` };
    const user = { plugin: ['opencode-wakatime', 'file:///mine/plugin.js'], model: 'anthropic/claude-opus-4-5' };
    const l = opencode.launch({ proxyUrl, args: ['run', 'hi'], env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(user) }, interactive: false, sourceHook });
    const file = join(sessionDir, 'opencode-plugin.js');
    expect(l.sourceHook).toEqual({ installed: true });
    expect(l.args).toEqual(['run', 'hi']);
    const config = JSON.parse(l.env.OPENCODE_CONFIG_CONTENT!) as Record<string, unknown>;
    expect(config.plugin).toEqual(['opencode-wakatime', 'file:///mine/plugin.js', `file://${file}`]);
    expect(config.model).toBe('anthropic/claude-opus-4-5');
    expect(fs.readFileSync(file, 'utf8')).toContain('const COMMAND = "run-hook opencode-tool-execute-after";');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    // Without the hook (--no-exec-hook): no plugin.
    expect(inline({ OPENCODE_CONFIG_CONTENT: JSON.stringify(user) }).plugin).toEqual(user.plugin);
  });

  it('refuses an OPENCODE_CONFIG_CONTENT that is not a JSON object, saying so', () => {
    expect(() => launch({ OPENCODE_CONFIG_CONTENT: '{not json' })).toThrow(LaunchError);
    expect(() => launch({ OPENCODE_CONFIG_CONTENT: '[1]' })).toThrow(/OPENCODE_CONFIG_CONTENT is not a JSON object/);
  });

  it('base URLs the user gave the routed providers become the upstreams (inline config first, then the global file)', () => {
    expect(opencode.upstreams({ HOME: home })).toEqual({});
    const dir = join(home, '.config', 'opencode');
    fs.mkdirSync(dir, { recursive: true });
    const global = { provider: { anthropic: { options: { baseURL: 'https://a.example.com/v1/' } }, openai: { options: { baseURL: 'https://o.example.com/v1' } } } };
    fs.writeFileSync(join(dir, 'opencode.json'), `// mine\n${JSON.stringify(global)}`);
    expect(opencode.upstreams({ HOME: home })).toEqual({ anthropic: 'https://a.example.com', openai: 'https://o.example.com' });
    const mine = JSON.stringify({ provider: { anthropic: { options: { baseURL: 'https://inline.example.com' } } } });
    expect(opencode.upstreams({ HOME: home, OPENCODE_CONFIG_CONTENT: mine })).toEqual({ anthropic: 'https://inline.example.com', openai: 'https://o.example.com' });
    expect(opencode.upstreams({ HOME: join(home, 'nowhere'), XDG_CONFIG_HOME: join(home, '.config') })).toEqual({ anthropic: 'https://a.example.com', openai: 'https://o.example.com' });
  });

  it('knows its requests and session from their headers; the title request (no tools) is not the main conversation', () => {
    expect(agentOf(REAL_HEADERS)).toBe('opencode');
    expect(agentOf({ 'user-agent': 'ai-sdk/provider-utils/4.0.46' })).toBeUndefined();
    expect(sessionFromHeaders(REAL_HEADERS, 'opencode')).toBe('opencode:ses_db1bfb55effe08fwpG1H2CrOXo');
    expect(isMainConversation('opencode', { tools: [], headers: REAL_HEADERS })).toBe(false);
    expect(isMainConversation('opencode', { tools: ['bash', 'read'], headers: REAL_HEADERS })).toBe(true);
  });
});
