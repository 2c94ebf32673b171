import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentNamed, LaunchError } from '../../src/agents/index.js';

const proxyUrl = 'http://127.0.0.1:4321';
const cline = agentNamed('cline')!;
const dirs: string[] = [];
let dir: string | undefined;
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A home whose ~/.cline/data/settings/providers.json is `providers`, and a session folder. */
function setup(providers: unknown): { env: Record<string, string>; session: string; userFile: string } {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cline-launch-'));
  dirs.push(dir);
  const settings = join(dir, 'home', '.cline', 'data', 'settings');
  fs.mkdirSync(settings, { recursive: true });
  const userFile = join(settings, 'providers.json');
  fs.writeFileSync(userFile, JSON.stringify(providers));
  const session = join(dir, 'session');
  fs.mkdirSync(session);
  return { env: { HOME: join(dir, 'home') }, session, userFile };
}

const entry = (settings: Record<string, unknown>) => ({ settings, updatedAt: '2026-12-01T00:00:00.000Z', tokenSource: 'manual' });
const USER = {
  version: 1,
  lastUsedProvider: 'anthropic',
  modes: {},
  providers: {
    anthropic: entry({ provider: 'anthropic', apiKey: 'sk-ant', model: 'claude-sonnet-4-5', baseUrl: 'https://gw.example.com/anthropic/v1' }),
    'openai-compatible': entry({ provider: 'openai-compatible', apiKey: 'sk-or', model: 'qwen3-coder', baseUrl: 'https://openrouter.ai/api/v1' }),
    cline: entry({ provider: 'cline', auth: { accessToken: 'tok' } }),
  },
};

describe('Cline launch', () => {
  it('runs sandboxed in a data folder of its own whose providers.json points the provider in use at the proxy, linked to the user\'s sessions; the user files stay as they were', () => {
    const { env, session, userFile } = setup(USER);
    const before = fs.readFileSync(userFile, 'utf8');
    fs.writeFileSync(join(userFile, '..', 'cli-notices.json'), '{"shown":{"cline-cli-cline-pass-intro":true}}');
    const l = cline.launch({ proxyUrl, args: ['-i'], env, interactive: true, sourceHook: { dir: session, command: (e) => e } });
    const data = join(session, 'cline-data');
    const settings = join(env.HOME!, '.cline', 'data', 'settings');
    expect(l.args).toEqual(['-i']);
    expect(l.env).toEqual({
      CLINE_SANDBOX: '1',
      CLINE_SANDBOX_DATA_DIR: data,
      CLINE_GLOBAL_SETTINGS_PATH: join(settings, 'global-settings.json'),
      CLINE_MCP_SETTINGS_PATH: join(settings, 'cline_mcp_settings.json'),
    });
    const routed = JSON.parse(fs.readFileSync(join(data, 'settings', 'providers.json'), 'utf8'));
    expect(routed.lastUsedProvider).toBe('anthropic');
    expect(routed.providers.anthropic.settings).toEqual({ provider: 'anthropic', apiKey: 'sk-ant', model: 'claude-sonnet-4-5', baseUrl: `${proxyUrl}/v1` });
    expect(routed.providers['openai-compatible']).toEqual(USER.providers['openai-compatible']);
    expect(routed.providers.cline).toEqual(USER.providers.cline);
    expect(fs.statSync(join(data, 'settings', 'providers.json')).mode & 0o077).toBe(0);
    expect(fs.readFileSync(userFile, 'utf8')).toBe(before);
    // The notices the user has seen stay seen.
    expect(fs.readFileSync(join(data, 'settings', 'cli-notices.json'), 'utf8')).toContain('"cline-cli-cline-pass-intro":true');
    // Its sessions and their index are the user's own, and stay when the run's folder goes.
    const userData = join(env.HOME!, '.cline', 'data');
    for (const kept of ['db', 'sessions', 'teams']) expect(fs.realpathSync(join(data, kept))).toBe(fs.realpathSync(join(userData, kept)));
    fs.mkdirSync(join(data, 'sessions', 's1'));
    fs.writeFileSync(join(data, 'sessions', 's1', 's1.json'), '{}');
    l.cleanup?.();
    expect(fs.existsSync(data)).toBe(false);
    expect(fs.readFileSync(join(userData, 'sessions', 's1', 's1.json'), 'utf8')).toBe('{}');
  });

  it('-P picks the provider routed (openai is its OpenAI-compatible one); without a session folder the data folder is a temp one, removed after', () => {
    const { env } = setup(USER);
    for (const args of [['-P', 'openai', 'hi'], ['--provider=openai-compatible', 'hi']]) {
      const l = cline.launch({ proxyUrl, args, env, interactive: false });
      const data = l.env.CLINE_SANDBOX_DATA_DIR!;
      const routed = JSON.parse(fs.readFileSync(join(data, 'settings', 'providers.json'), 'utf8'));
      expect(routed.providers['openai-compatible'].settings).toMatchObject({ apiKey: 'sk-or', model: 'qwen3-coder', baseUrl: `${proxyUrl}/v1` });
      expect(routed.providers.anthropic.settings.baseUrl).toBe('https://gw.example.com/anthropic/v1');
      l.cleanup?.();
      expect(fs.existsSync(data)).toBe(false);
    }
    const native = cline.launch({ proxyUrl, args: ['-P', 'openai-native', '-k', 'sk-x'], env, interactive: false });
    expect(JSON.parse(fs.readFileSync(join(native.env.CLINE_SANDBOX_DATA_DIR!, 'settings', 'providers.json'), 'utf8')).providers['openai-native'].settings).toEqual({ provider: 'openai-native', baseUrl: `${proxyUrl}/v1` });
    native.cleanup?.();
  });

  it('refuses a provider it does not route, no provider at all, and options or variables that move Cline off its data folder', () => {
    const { env } = setup(USER);
    const refuse = (args: string[], e: Record<string, string> = env) => () => cline.launch({ proxyUrl, args, env: e, interactive: false });
    expect(refuse(['-P', 'cline'])).toThrow(LaunchError);
    expect(refuse(['-P', 'openrouter'])).toThrow(/"openrouter" is not routed/);
    expect(refuse([], { HOME: join(dir!, 'nobody') })).toThrow(/no provider set up/);
    for (const a of ['--data-dir', '--data-dir=/x', '--config', '-z', '--zen']) expect(refuse([a, 'x'])).toThrow(new RegExp(a.split('=')[0]!));
    expect(refuse([], { ...env, CLINE_SANDBOX: '1' })).toThrow(/CLINE_SANDBOX/);
  });

  it('the base URLs the user gave its routed providers become the upstreams (the provider used last first)', () => {
    const { env } = setup(USER);
    expect(cline.upstreams(env)).toEqual({ anthropic: 'https://gw.example.com/anthropic', openai: 'https://openrouter.ai/api' });
    const native = { ...USER, lastUsedProvider: 'openai-native', providers: { ...USER.providers, 'openai-native': entry({ provider: 'openai-native', baseUrl: 'https://eu.api.openai.com/v1' }) } };
    const env2 = setup(native).env;
    expect(cline.upstreams(env2).openai).toBe('https://eu.api.openai.com');
    expect(cline.upstreams({ HOME: '/nonexistent' })).toEqual({});
  });
});
